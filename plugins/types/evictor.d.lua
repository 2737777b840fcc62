---@meta
-- Editor type definitions for Evictor plugins (sumneko/LuaLS). Kept in step with the engine:
-- EvictorScriptingTests/TypeDefinitionTests checks every `function evictor.*` below exists in a
-- plugin VM and every function of the real API is declared here.

---@class evictor
evictor = {}

---@alias evictor.LogLevel "debug"|"info"|"warning"|"error"

evictor.log = {}
---Logs at debug level (shown with EVICTOR_VERBOSE=1).
---@param ... any
function evictor.log.debug(...) end
---Logs at info level (shown with EVICTOR_VERBOSE=1).
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

---@class evictor.SourceOption
---@field type? "string"|"number"|"boolean"|"list"
---@field description? string
---@field default? any
---@field required? boolean

---@class evictor.Capabilities
---@field run? string[]   programs host.run may start
---@field read? boolean   host.read_file, host.exists
---@field glob? boolean   host.glob
---@field env? string[]|boolean  variables host.env may read (true: any)

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
---@field options? table<string, evictor.SourceOption>
---@field capabilities? evictor.Capabilities
---@field collect fun(opts: table, host: evictor.Host): evictor.SeenImage[]

---Declares an inventory source; a file in plugins/sources/ returns this.
---@param spec evictor.SourceSpec
---@return evictor.SourceSpec
function evictor.source(spec) end

---@class evictor.FixerSpec
---@field name string
---@field version? string
---@field description? string
---@field check fun(store: any): any
---@field fix fun(finding: any, actions: any)

---Declares a storage fixer; a file in plugins/fixers/ returns this.
---@param spec evictor.FixerSpec
---@return evictor.FixerSpec
function evictor.fixer(spec) end

---@class evictor.PolicySpec
---@field name string
---@field version? string
---@field description? string
---@field decide fun(repo: any, ctx: any)
---@field default? "delete"|"keep"

---Declares a retention policy; a file in policies/ returns this.
---@param spec evictor.PolicySpec
---@return evictor.PolicySpec
function evictor.policy(spec) end
