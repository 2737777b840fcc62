/// The files `evictor plugins new KIND NAME` writes: a working plugin of each kind and its
/// test, which passes as written (so a team starts from green and changes both together).
enum PluginTemplates {
    static func policy(_ name: String) -> String {
        """
        -- \(name): keeps the newest tags of every repository (change this line: `evictor plugins show \(name)` prints it).
        --
        --   evictor plan REGISTRY --policy \(name) --option \(name).keep=5
        --   evictor plugins test .     (runs policies/\(name)_test.lua)
        return evictor.policy {
          name = "\(name)",
          api = 1,
          description = "keep the newest N tags of every repository, delete the rest",
          options = {
            keep = { type = "integer", default = 3, description = "newest tags kept per repository" },
          },
          decide = function(repo, ctx)
            local tags = {}
            for _, tag in ipairs(repo.tags) do tags[#tags + 1] = tag end
            -- Newest first; a tag whose image has no created time counts as the oldest.
            table.sort(tags, function(a, b) return (a.created or 0) > (b.created or 0) end)
            for position, tag in ipairs(tags) do
              if position <= ctx.options.keep then
                tag:keep(string.format("one of the newest %d", ctx.options.keep))
              else
                tag:delete(string.format("older than the newest %d", ctx.options.keep))
              end
            end
          end,
        }

        """
    }

    static func policyTest(_ name: String) -> String {
        """
        -- Tests of \(name).lua: `evictor plugins test .` (or `evictor policy test policies/\(name)_test.lua`).
        local function repository()
          return {
            name = "team/app", in_use = false, used_by = {},
            tags = {
              { name = "v4", created = "2026-04-01T00:00:00Z" },
              { name = "v3", created = "2026-03-01T00:00:00Z" },
              { name = "v2", created = "2026-02-01T00:00:00Z" },
              { name = "v1", created = "2026-01-01T00:00:00Z" },
              { name = "old" },
            },
            untagged = {},
          }
        end

        return evictor.policy_test {
          policy = "\(name).lua",
          cases = {
            {
              name = "keeps the 3 newest, deletes the rest (the policy's own marks)",
              repository = repository(),
              expect = { keep = { "v4", "v3", "v2" }, delete = { "v1", "old" } },
            },
            {
              name = "keep=1, and what the plan does after the safety rails",
              options = { keep = 1 },
              max_delete_percent = 100,
              repository = repository(),
              expect = { keep = { "v4" }, delete = { "v3", "v2", "v1", "old" } },
              expect_final = { keep = { "v4" }, delete = { "v3", "v2", "v1", "old" } },
            },
            {
              name = "a keep that is not a whole number is refused when the policy loads",
              options = { keep = 2.5 },
              repository = repository(),
              expect_error = "option 'keep': expected an integer",
            },
          },
        }

        """
    }

    static func source(_ name: String) -> String {
        """
        -- \(name): images listed in a text file, one reference per line, # starts a comment.
        --
        --   evictor inventory --source \(name):/etc/evictor/images.txt -o images.json
        --   evictor plugins test .     (runs sources/\(name)_test.lua)
        return evictor.source {
          name = "\(name)",
          version = "0.1",
          api = 1,
          description = "images listed in a text file",
          argument = "path",
          options = {
            path = { type = "string", required = true, description = "the file to read" },
          },
          capabilities = { read = true },   -- or read = { "/etc/evictor/*" }: only those paths (plugins/README.md)
          collect = function(opts, host)
            local text, err = host.read_file(opts.path)
            if not text then error(err, 0) end
            local images, line_number = {}, 0
            for line in (text .. "\\n"):gmatch("([^\\n]*)\\n") do
              line_number = line_number + 1
              local reference = line:gsub("#.*$", ""):match("^%s*(.-)%s*$")
              if reference ~= "" then
                images[#images + 1] = { image = reference, seen_at = string.format("%s;%s:%d", "\(name)", opts.path, line_number) }
              end
            end
            return images
          end,
        }

        """
    }

    static func sourceTest(_ name: String) -> String {
        """
        -- Tests of \(name).lua against recorded files: `evictor plugins test .`
        return evictor.source_test {
          source = "\(name).lua",
          cases = {
            {
              name = "every reference of the file, comments skipped",
              argument = "/etc/evictor/images.txt",
              files = { ["/etc/evictor/images.txt"] = "# in use\\nregistry.example.com/team/app:1.0\\nnginx:1.25\\n" },
              expect = { "registry.example.com/team/app:1.0", "nginx:1.25" },
            },
            {
              name = "a missing file fails the source",
              argument = "/etc/evictor/missing.txt",
              expect_error = "cannot read",
            },
          },
        }

        """
    }

    static func fixer(_ name: String) -> String {
        """
        -- \(name): quarantines tags whose link is broken (change it: `evictor plugins show \(name)`).
        --
        --   evictor storage fix --root DIR --quarantine QDIR --fixer \(name)             (a dry run)
        --   evictor plugins test .     (runs fixers/\(name)_test.lua)
        return evictor.fixer {
          name = "\(name)",
          api = 1,
          description = "quarantine tags whose link is broken",
          options = {
            repositories = { type = "regex", default = ".*", description = "only repositories matching this" },
          },
          check = function(store, opts)
            local pattern = evictor.regex.compile(opts.repositories)
            local picked = {}
            for _, finding in ipairs(store:findings("tag-link-broken")) do
              if pattern:match(finding.repository) then picked[#picked + 1] = finding end
            end
            return picked
          end,
          fix = function(finding, actions)
            actions:drop_tag(finding.repository, finding.tag, "broken tag link: " .. finding.detail)
          end,
        }

        """
    }

    static func fixerTest(_ name: String) -> String {
        """
        -- Tests of \(name).lua against scan findings: `evictor plugins test .`
        local function broken(repository, tag)
          return { problem = "tag-link-broken", repository = repository, tag = tag, detail = "no link",
                   path = "repositories/" .. repository .. "/_manifests/tags/" .. tag }
        end
        local broken, other = broken("team/app", "v1"), broken("infra/db", "v2")

        return evictor.fixer_test {
          fixer = "\(name).lua",
          cases = {
            {
              name = "every broken tag goes to the quarantine",
              findings = { broken, other },
              expect = { { kind = "drop_tag", repository = "team/app", tag = "v1" }, { kind = "drop_tag", repository = "infra/db", tag = "v2" } },
            },
            {
              name = "repositories limits it",
              findings = { broken, other },
              options = { repositories = "^team/" },
              expect = { { kind = "drop_tag", repository = "team/app", tag = "v1" } },
            },
          },
        }

        """
    }

    /// `.luarc.json`: the Lua language server reads the type definitions in `types/`.
    static let luarc = """
        {
          "runtime.version": "Lua 5.4",
          "workspace.library": ["types"],
          "diagnostics.globals": ["evictor"]
        }

        """
}
