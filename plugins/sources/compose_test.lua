-- Tests of compose.lua against recorded files and variables (`evictor plugins test plugins`).
return evictor.source_test {
  source = "compose.lua",
  cases = {
    {
      name = "globs, the environment over .env, ${VAR:-default}, build-only services skipped",
      argument = "/srv/*/docker-compose.yml",
      files = {
        ["/srv/shop/docker-compose.yml"] = [[
services:
  web:
    image: ${REGISTRY}/shop/web:${WEB_TAG:-1.0}
  builder:
    build: .
]],
        ["/srv/shop/.env"] = "REGISTRY=registry.example.com\nWEB_TAG=0.9\n",
        ["/srv/tools/docker-compose.yml"] = "services:\n  debug:\n    image: registry.example.com/tools/debug\n",
      },
      env = { WEB_TAG = "2.1" },
      expect = { "registry.example.com/shop/web:2.1", "registry.example.com/tools/debug" },
      expect_seen_at = { ["registry.example.com/shop/web:2.1"] = "compose;/srv/shop/docker-compose.yml;web" },
    },
    {
      name = "env_file replaces the .env beside each file (env-file is accepted for env_file)",
      options = { files = { "/srv/app.yml" }, ["env-file"] = "/etc/evictor/compose.env" },
      files = {
        ["/srv/app.yml"] = "services:\n  app:\n    image: $REGISTRY/app:1\n",
        ["/etc/evictor/compose.env"] = "REGISTRY=mirror.example.com:5000\n",
      },
      expect = { "mirror.example.com:5000/app:1" },
    },
    {
      name = "${VAR:?message} fails the source with the message",
      argument = "/srv/strict.yml",
      files = { ["/srv/strict.yml"] = "services:\n  app:\n    image: ${TAG:?TAG must be set}\n" },
      expect_error = "TAG must be set",
    },
    {
      name = "a secret-looking variable is withheld even with env = true",
      argument = "/srv/leak.yml",
      files = { ["/srv/leak.yml"] = "services:\n  app:\n    image: registry.example.com/app:${EVICTOR_PASSWORD}\n" },
      env = { EVICTOR_PASSWORD = "hunter2" },
      expect_error = "withheld",
    },
  },
}
