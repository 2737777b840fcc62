---@meta
-- Editor type definitions for Evictor plugins (sumneko/LuaLS). Kept in step with the engine:
-- EvictorScriptingTests/TypeDefinitionTests checks every `function evictor.*` below exists in a
-- plugin VM and every function of the real API is declared here.

---@class evictor
evictor = {}

---@alias evictor.LogLevel "debug"|"info"|"warning"|"error"

evictor.log = {}
---Logs at debug level (shown with -v/--verbose, or EVICTOR_VERBOSE=1).
---@param ... any
function evictor.log.debug(...) end
---Logs at info level (shown with -v/--verbose, or EVICTOR_VERBOSE=1).
---@param ... any
function evictor.log.info(...) end
---Logs a warning (always shown on stderr).
---@param ... any
function evictor.log.warning(...) end
---Logs an error (always shown on stderr).
---@param ... any
function evictor.log.error(...) end

evictor.json = {}
---Decodes a JSON document; null becomes nil. Raises on invalid JSON.
---@param text string
---@return any
function evictor.json.decode(text) end

evictor.yaml = {}
---Decodes a YAML document. Raises on invalid YAML.
---@param text string
---@return any
function evictor.yaml.decode(text) end

evictor.time = {}
---Seconds since the Unix epoch (with fractions).
---@return number
function evictor.time.now() end
---Parses an RFC 3339 time into Unix seconds; nil and a message when it is not one.
---@param text string
---@return number|nil seconds
---@return string|nil error
function evictor.time.parse(text) end
---Formats Unix seconds as RFC 3339 (UTC).
---@param seconds number
---@return string
function evictor.time.format(seconds) end
---`n` days in seconds.
---@param n number
---@return number
function evictor.time.days(n) end

---An option any plugin (source, policy, fixer) declares, set with --option NAME.KEY=VALUE, in
---the config file's `options`, or in a policy test case's `options`: checked against `type` once
---when the plugin loads (the default too), and received converted. Names are snake_case.
---  string: text; number; integer: a whole number; boolean: true/false (yes/no, 1/0);
---  list: strings (comma separated on the command line); regex: checked to compile, received
---  as its text (an empty one switches a pattern off); duration: "90s", "30m", "12h", "7d",
---  "2w" or seconds, received as seconds; time: RFC 3339 ("2026-06-25T12:00:00Z"; no zone is
---  UTC; a date alone is midnight UTC) or Unix seconds, received as Unix seconds; enum: one of
---  `values`.
---@class evictor.Option
---@field type? "string"|"number"|"integer"|"boolean"|"list"|"regex"|"duration"|"time"|"enum"
---@field description? string
---@field default? any
---@field required? boolean
---@field values? string[]  an enum's allowed values

---@class evictor.SourceOption : evictor.Option

---What a source may do beyond pure Lua. None of it hands a source Evictor's own secrets.
---@class evictor.Capabilities
---@field run? string[]   programs host.run may start; they get PATH, HOME, LANG, LANGUAGE, LC_*, TZ, TMPDIR,
---                       KUBECONFIG (when set) and the variables named in `env`, nothing else of Evictor's environment
---@field read? boolean|string[]  host.read_file, host.exists: true for any path, or only paths matching these globs
---                       ("/etc/evictor/*.txt", "~/lists/*"; `*` also matches "/"); never Docker's config.json
---@field glob? boolean   host.glob
---@field env? string[]|boolean  variables host.env may read, by name (a name listed here is readable and passed to
---                       commands even when it looks secret); true, or "*" in the list: any variable except
---                       EVICTOR_*, AWS_*, names containing PASSWORD, PASSWD, TOKEN, SECRET, CREDENTIAL, API_KEY,
---                       APIKEY or PRIVATE_KEY, and the config's credential variables (reading one raises)
---@field usage? boolean  host.pulled: the pull history of evictor serve (the config's state directory)

---@class evictor.RunResult
---@field code integer
---@field stdout string
---@field stderr string
---@field timed_out boolean

---@class evictor.Host  only the capabilities the source declared are present
---@field run? fun(argv: string[], options?: {timeout?: number, stdin?: string, env?: table<string,string>}): evictor.RunResult
---@field read_file? fun(path: string): string|nil, string|nil
---@field exists? fun(path: string): boolean
---@field glob? fun(pattern: string): string[]
---@field env? fun(name: string): string|nil
---@field pulled? fun(days: number): evictor.PulledImage[]  manifests pulled within `days` days

---A manifest the pull history saw pulled (host.pulled).
---@class evictor.PulledImage
---@field registry string     "host:port" as image references name the registry
---@field repository string
---@field digest string
---@field tags string[]       tags the history saw on it
---@field last_pulled number  Unix seconds
---@field pull_count integer

---@class evictor.SeenImage
---@field image string              an image reference
---@field seen_at? string|string[]  where: "k8s;CONTEXT;NAMESPACE;KIND/NAME", "compose;FILE;SERVICE", ...
---@field digest? string            the manifest digest actually pulled, if known
---@field last_wanted? string|number RFC 3339 or Unix seconds

---@class evictor.SourceSpec
---@field name string
---@field version? string
---@field description? string
---@field argument? string   the option that receives `--source NAME:ARG`
---@field example? string    a command line using it (`evictor plugins show` prints it)
---@field options? table<string, evictor.SourceOption>
---@field capabilities? evictor.Capabilities
---@field collect fun(opts: table, host: evictor.Host): evictor.SeenImage[]

---Declares an inventory source; a file in plugins/sources/ returns this.
---@param spec evictor.SourceSpec
---@return evictor.SourceSpec
function evictor.source(spec) end

---@alias evictor.StorageProblem "tag-link-broken"|"tag-revision-missing"|"tag-blob-missing"|"revision-link-broken"|"revision-blob-missing"|"manifest-digest-mismatch"|"manifest-unparseable"|"empty-blob"|"blob-digest-mismatch"|"layer-link-blob-missing"|"reference-missing"|"no-tags"|"stale-upload"

---One piece of damage `evictor storage scan` found.
---@class evictor.StorageFinding
---@field problem evictor.StorageProblem
---@field repository string "" for store-wide findings (empty blobs)
---@field tag? string
---@field digest? string
---@field path string relative to docker/registry/v2
---@field detail string
---@field tags string[] tags that cannot be pulled because of it

---The read-only store handle a fixer's `check` gets.
---@class evictor.Store
---@field findings fun(self: evictor.Store, ...: evictor.StorageProblem): evictor.StorageFinding[] the scan's findings of these classes (all when none given)
---@field repositories fun(self: evictor.Store): string[]
---@field tags fun(self: evictor.Store, repository: string): table<string, string|false> tag -> digest (false: broken link)
---@field revisions fun(self: evictor.Store, repository: string): string[]
---@field blob_size fun(self: evictor.Store, digest: string): integer|nil

---What a fixer's `fix` records; the engine moves each path into the quarantine.
---@class evictor.FixActions
---@field drop_tag fun(self: evictor.FixActions, repository: string, tag: string, reason: string)
---@field drop_revision fun(self: evictor.FixActions, repository: string, digest: string, reason: string)
---@field drop_layer_link fun(self: evictor.FixActions, repository: string, digest: string, reason: string)
---@field quarantine_blob fun(self: evictor.FixActions, digest: string, reason: string)
---@field quarantine fun(self: evictor.FixActions, path: string, reason: string) a path relative to docker/registry/v2

---@class evictor.FixerSpec
---@field name string
---@field version? string
---@field description? string
---@field example? string    a command line using it (`evictor plugins show` prints it)
---@field options? table<string, evictor.Option>  set with --option NAME.KEY=VALUE on storage fix
---@field check fun(store: evictor.Store, opts: table): evictor.StorageFinding[] the findings this fixer handles
---@field fix fun(finding: evictor.StorageFinding, actions: evictor.FixActions, opts: table)

---Declares a storage fixer; a file in plugins/fixers/ returns this.
---@param spec evictor.FixerSpec
---@return evictor.FixerSpec
function evictor.fixer(spec) end

evictor.regex = {}

---A compiled ICU regular expression (see evictor.regex.compile).
---@class evictor.Regex
---@field match fun(self: evictor.Regex, text: string): boolean  whether the pattern occurs in `text` (unanchored unless ^/$)
---@field find fun(self: evictor.Regex, text: string): (string|false)[]|nil  nil, or { whole match, group 1, ... } (false: a group that took no part)

---Compiles an ICU regular expression. Raises when the pattern is invalid.
---@param pattern string
---@return evictor.Regex
function evictor.regex.compile(pattern) end
---Whether `pattern` occurs in `text` (like Python's re.search: unanchored unless ^/$). Raises
---when the pattern is invalid.
---@param pattern string
---@param text string
---@return boolean
function evictor.regex.match(pattern, text) end
---The first occurrence of `pattern` in `text`: nil, or { whole match, group 1, ... } with false
---for a group that took no part. Raises when the pattern is invalid.
---@param pattern string
---@param text string
---@return (string|false)[]|nil
function evictor.regex.find(pattern, text) end

evictor.semver = {}

---A semantic version (evictor.semver.parse).
---@class evictor.SemVer
---@field major integer
---@field minor integer       0 when the text has none ("v1")
---@field patch integer       0 when the text has none ("v1.2")
---@field prerelease? string  "rc.1" in "1.0.0-rc.1"
---@field build? string       "sha.5114f85" in "1.0.0+sha.5114f85"

---Parses a semantic version (SemVer 2.0) as tags use them: one to three dot-separated
---numbers without leading zeros (a missing minor or patch is 0), an optional leading "v" or
---"V", then optionally "-PRERELEASE" and "+BUILD" (dot-separated letters, digits and hyphens).
---nil when `text` is not a version. Anything after the first "-" is a prerelease, so
---"3.18-alpine" is 3.18.0-alpine and sorts below "3.18". Examples (checked by the tests):
---  "3.18"              -> 3.18.0
---  "v0.3.0"            -> 0.3.0
---  "V2"                -> 2.0.0
---  "1.0.0-rc.1"        -> 1.0.0-rc.1
---  "v2.1.0-beta.2+exp.sha.5114f85" -> 2.1.0-beta.2+exp.sha.5114f85
---  "3.18-alpine"       -> 3.18.0-alpine
---  "1.0.0+20240101"    -> 1.0.0+20240101
---  "latest"            -> nil
---  "1.2.3.4"           -> nil
---  "01.2"              -> nil
---  "1.0.0-rc.01"       -> nil
---  "1.0-"              -> nil
---  "sha256-0a1b"       -> nil
---@param text string
---@return evictor.SemVer|nil
function evictor.semver.parse(text) end
---Compares two versions per SemVer 2.0 (a prerelease is lower than its release, numeric
---prerelease parts compare as numbers, build metadata is ignored): -1, 0 or 1. Raises when
---either is not a version (check with evictor.semver.parse first). E.g. compare("v1.2",
---"1.10.0") == -1, compare("1.0.0-rc.2", "1.0.0-rc.10") == -1, compare("1.0.0-rc.1", "1.0.0")
---== -1, compare("3.18", "3.18.0+b1") == 0.
---@param a string
---@param b string
---@return -1|0|1
function evictor.semver.compare(a, b) end

---A policy option (--option POLICY.KEY=VALUE, or --policy-option KEY=VALUE for the one policy).
---@class evictor.PolicyOption : evictor.Option

---A tag of the repository being decided.
---@class evictor.Tag
---@field name string
---@field digest string          "sha256:..."
---@field media_type string
---@field created number|nil     image created time, Unix seconds (a float: may have a fraction); nil when unknown
---@field size integer           bytes
---@field platforms string[]     "os/arch[/variant]"
---@field labels table<string, string>
---@field in_use boolean         an inventory image is this tag (or its digest)
---@field used_by string[]       where: "k8s;CONTEXT;NAMESPACE;KIND/NAME", "compose;FILE;SERVICE", ...
---@field is_index boolean       a multi-arch image index / manifest list
---@field subject string|nil     the subject digest of a referrer tag ("sha256-<hex>.sig")
---@field last_pulled number|nil  last counted pull (a GET, not Evictor's), Unix seconds; nil: none known
---@field pull_count integer|nil  pulls the history counted; nil when it knows nothing of this manifest (unknown is not unused)
---@field pushed number|nil       first push the history saw, Unix seconds; nil: before its data
---@field keep fun(self: evictor.Tag, reason: string)    marks it kept (a keep mark wins over a delete mark)
---@field delete fun(self: evictor.Tag, reason: string)  marks it for deletion

---A manifest of the repository no tag points to.
---@class evictor.Manifest
---@field digest string
---@field media_type string
---@field created number|nil      image created time, Unix seconds (a float: may have a fraction); nil when unknown
---@field size integer
---@field platforms string[]
---@field labels table<string, string>
---@field is_index boolean
---@field parents string[]       digests of the indexes in this repository that list it
---@field tagged_parent boolean  a tagged index lists it
---@field subject string|nil     the digest it refers to (signature, SBOM, attestation)
---@field in_use boolean
---@field last_pulled number|nil  last counted pull (a GET, not Evictor's), Unix seconds; nil: none known
---@field pull_count integer|nil  pulls the history counted; nil when it knows nothing of this manifest (unknown is not unused)
---@field pushed number|nil       first push the history saw, Unix seconds; nil: before its data
---@field keep fun(self: evictor.Manifest, reason: string)
---@field delete fun(self: evictor.Manifest, reason: string)

---The repository handed to a policy's decide.
---@class evictor.Repository
---@field name string
---@field in_use boolean          some inventory image is in this repository
---@field used_by string[]
---@field tags evictor.Tag[]      newest first: created descending, unknown created last, ties by name descending
---@field untagged evictor.Manifest[]
---@field delete_all fun(self: evictor.Repository, reason: string)  marks every tag for deletion
---@field keep_all fun(self: evictor.Repository, reason: string)    marks every tag kept

---@class evictor.InventorySummary
---@field images integer       images in the inventory
---@field on_registry integer  of those, images on this registry

---@class evictor.PolicyContext
---@field now number                 Unix seconds (fixed per plan; `now` in a policy test); os.time() and evictor.time.now() agree
---@field options table<string, any> declared options, defaults applied, CLI values converted
---@field registry string            "host:port"
---@field inventory evictor.InventorySummary|nil  nil when the plan runs without --inventory
---@field usage_since number|nil     Unix seconds: from when the pull history has data; nil without one

---@class evictor.PolicySpec
---@field name string
---@field version? string
---@field description? string
---@field options? table<string, evictor.PolicyOption>
---@field example? string           a command line using it (`evictor plugins show` prints it)
---@field needs_inventory? boolean  plan refuses to run without --inventory
---@field min_inventory? integer    plan refuses a smaller inventory (override: --min-inventory N)
---@field default? "keep"|"delete"  the verdict for tags decide did not mark (default "keep")
---@field decide fun(repo: evictor.Repository, ctx: evictor.PolicyContext)  once per repository; returns nothing

---Declares a retention policy; a file in policies/ returns this.
---@param spec evictor.PolicySpec
---@return evictor.PolicySpec
function evictor.policy(spec) end

---A tag in a policy test fixture (fields as in evictor.Tag; `created` as RFC 3339).
---@class evictor.PolicyTestTag
---@field name string
---@field digest? string   a unique one is generated when absent
---@field created? string|number  RFC 3339 or Unix seconds; absent: unknown
---@field media_type? string
---@field size? integer
---@field platforms? string[]
---@field labels? table<string, string>
---@field in_use? boolean
---@field used_by? string[]
---@field is_index? boolean
---@field subject? string
---@field pull_count? integer  the usage store's record: all three absent (unknown), or pull_count with optional times
---@field last_pulled? string  RFC 3339
---@field pushed? string       RFC 3339

---An untagged manifest in a policy test fixture.
---@class evictor.PolicyTestManifest
---@field digest string
---@field created? string|number  RFC 3339 or Unix seconds; absent: unknown
---@field media_type? string
---@field size? integer
---@field platforms? string[]
---@field labels? table<string, string>
---@field is_index? boolean
---@field parents? string[]
---@field tagged_parent? boolean
---@field subject? string
---@field in_use? boolean
---@field pull_count? integer  the usage store's record: all three absent (unknown), or pull_count with optional times
---@field last_pulled? string  RFC 3339
---@field pushed? string       RFC 3339

---@class evictor.PolicyTestRepository
---@field name string
---@field in_use? boolean
---@field used_by? string[]
---@field tags? evictor.PolicyTestTag[]            any order: sorted newest first as in a plan
---@field untagged? evictor.PolicyTestManifest[]

---@class evictor.PolicyTestExpect
---@field keep string[]              tag names; with delete, every tag exactly once
---@field delete string[]
---@field untagged_keep? string[]    digests; checked when present
---@field untagged_delete? string[]

---What the plan does after the safety rails (in-use tags and digests kept, shared digests,
---index children, referrers) and the plan-wide refusals (inventory, share cap).
---@class evictor.PolicyTestFinal
---@field keep? string[]             tag names kept in the end; with delete, every tag exactly once (required unless refused)
---@field delete? string[]           tag names the plan deletes
---@field untagged_keep? string[]    digests; checked when present
---@field untagged_delete? string[]
---@field refused? string            the plan is refused (nothing deleted) with a message containing this, e.g.
---                                  "more than the limit of 50%" (share cap), "fewer than 10" (inventory);
---                                  keep/delete, when given, are then the verdicts before the refusal

---@class evictor.PolicyTestCase
---@field name string
---@field options? table<string, any>     checked and converted as --option values are (an error here is the case's expect_error)
---@field now? string                     RFC 3339: fixes ctx.now
---@field usage_since? string             RFC 3339: sets ctx.usage_since (absent: no pull history)
---@field inventory? evictor.InventorySummary
---@field repository evictor.PolicyTestRepository
---@field expect? evictor.PolicyTestExpect      the policy's own marks, before the rails
---@field expect_final? evictor.PolicyTestFinal  the verdicts after the rails, as the plan has them
---@field max_delete_percent? number      the share cap for expect_final (default 50, as --max-delete-percent)
---@field min_inventory? integer          for expect_final (default: the policy's min_inventory, as --min-inventory)
---@field expect_error? string            decide must fail with a message containing this

---@class evictor.PolicyTest
---@field policy string                   the policy file, relative to the test file
---@field cases evictor.PolicyTestCase[]

---Declares a policy's tests; a NAME_test.lua file returns this (evictor policy test FILE...).
---@param spec evictor.PolicyTest
---@return evictor.PolicyTest
function evictor.policy_test(spec) end

---A command a source test records: what `host.run(argv)` answers.
---@class evictor.RecordedCommand
---@field argv string[]   exactly as the source passes it
---@field stdout? string
---@field stderr? string
---@field code? integer   default 0

---@class evictor.SourceTestCase
---@field name? string
---@field argument? string                     as `--source NAME:ARG`
---@field options? table<string, any>          checked and converted as --option values are
---@field files? table<string, string>         path -> contents: what host.read_file, exists and glob see
---@field env? table<string, string>           what host.env sees (secrets are withheld as in a real run)
---@field commands? evictor.RecordedCommand[]  what host.run answers; an unrecorded command is an error
---@field expect? string[]                     the image references the source reports, in any order
---@field expect_seen_at? table<string, string|string[]>  reference -> where it was seen
---@field expect_error? string                 the source must fail with a message containing this

---@class evictor.SourceTest
---@field source string                   the source file, relative to the test file
---@field cases evictor.SourceTestCase[]

---Declares a source's tests; sources/NAME_test.lua returns this (evictor plugins test DIR).
---@param spec evictor.SourceTest
---@return evictor.SourceTest
function evictor.source_test(spec) end

---A fixer test case's store: what the fixer's `store` handle answers.
---@class evictor.StoreFixture
---@field tags? table<string, table<string, string|false>>  repository -> tag -> digest (false: a broken link)
---@field revisions? table<string, string[]>               repository -> manifest digests
---@field blobs? table<string, integer>                    digest -> size

---An action a fixer test expects (reasons are not compared).
---@class evictor.ExpectedAction
---@field kind "drop_tag"|"drop_revision"|"drop_layer_link"|"quarantine_blob"|"quarantine"
---@field repository? string
---@field tag? string
---@field digest? string
---@field path? string

---@class evictor.FixerTestCase
---@field name? string
---@field findings? evictor.StorageFinding[]    the scan's findings (`store:findings` returns these)
---@field store? evictor.StoreFixture
---@field options? table<string, any>           checked and converted as --option values are
---@field expect? evictor.ExpectedAction[]      the actions the fixer records, in any order
---@field expect_error? string                  the fixer must fail with a message containing this

---@class evictor.FixerTest
---@field fixer string                    the fixer file, relative to the test file
---@field cases evictor.FixerTestCase[]

---Declares a fixer's tests; fixers/NAME_test.lua returns this (evictor plugins test DIR).
---@param spec evictor.FixerTest
---@return evictor.FixerTest
function evictor.fixer_test(spec) end
