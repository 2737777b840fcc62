-- k8s: images that Kubernetes clusters run or may run, through the real kubectl.
--
-- Every kubeconfig context by default (context= to choose one), or the in-cluster service
-- account when there is no kubeconfig. Images come from:
--   * pods: containers, initContainers, ephemeralContainers, with the digest the kubelet
--     reports in status.*Statuses[].imageID (finished pods older than max_age days are left out);
--   * the pod templates of Deployments, StatefulSets, DaemonSets, ReplicaSets (old ReplicaSets
--     are rollback targets), Jobs and CronJobs (a CronJob between runs has no pod at all).
-- Each image records where it was seen ("k8s;CONTEXT;NAMESPACE;KIND/NAME") and when it was
-- last wanted (now for anything that exists; a finished pod's finish time).
-- A context that cannot be reached, or a resource kubectl may not list, fails the source:
-- a partial inventory would let the planner delete images that are in use.
--
--   evictor inventory --source k8s
--   evictor inventory --source k8s:prod --option k8s.max_age=14
return evictor.source {
  name = "k8s",
  version = "1.0",
  description = "images used by Kubernetes: pods and the templates of every workload kind",
  argument = "context",
  options = {
    context = { type = "string", description = "only this kubeconfig context (default: all contexts)" },
    kubeconfig = { type = "string", description = "kubeconfig file (default: kubectl's own search)" },
    max_age = { type = "number", default = 31, description = "days a finished pod still counts" },
    timeout = { type = "number", default = 60, description = "seconds per kubectl call" },
  },
  -- kubectl gets PATH, HOME, the locale, TMPDIR and KUBECONFIG, plus these: in-cluster
  -- discovery, proxies, and what cloud login plugins (aws, gke-gcloud-auth-plugin, kubelogin)
  -- read to find their own configuration. No key or password of Evictor's reaches it.
  capabilities = {
    run = { "kubectl" },
    env = {
      "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT",
      "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "https_proxy", "http_proxy", "no_proxy",
      "AWS_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_CONFIG_FILE",
      "CLOUDSDK_CONFIG", "GOOGLE_APPLICATION_CREDENTIALS", "AZURE_CONFIG_DIR",
    },
  },

  collect = function(opts, host)
    local function kubectl(args, context)
      local argv = { "kubectl" }
      if opts.kubeconfig then argv[#argv + 1] = "--kubeconfig=" .. opts.kubeconfig end
      if context then argv[#argv + 1] = "--context=" .. context end
      argv[#argv + 1] = "--request-timeout=" .. math.floor(opts.timeout) .. "s"
      for _, a in ipairs(args) do argv[#argv + 1] = a end
      local r = host.run(argv, { timeout = opts.timeout + 10 })
      if r.timed_out then
        error(string.format("context %s: kubectl %s timed out", context or "(in-cluster)", table.concat(args, " ")), 0)
      end
      if r.code ~= 0 then
        local why = (r.stderr:match("[^\n]+") or ("exit " .. r.code)):gsub("^error: ", "")
        error(string.format("context %s: kubectl %s: %s", context or "(in-cluster)", table.concat(args, " "), why), 0)
      end
      return r.stdout
    end

    local contexts = {}
    if opts.context then
      contexts = { opts.context }
    else
      local argv = { "kubectl" }
      if opts.kubeconfig then argv[#argv + 1] = "--kubeconfig=" .. opts.kubeconfig end
      for _, a in ipairs({ "config", "get-contexts", "-o", "name" }) do argv[#argv + 1] = a end
      local r = host.run(argv, { timeout = opts.timeout })
      if r.code == 0 then
        for name in r.stdout:gmatch("[^\n]+") do contexts[#contexts + 1] = name end
      end
      if #contexts == 0 then
        if host.env("KUBERNETES_SERVICE_HOST") then
          contexts = { false } -- in-cluster: kubectl uses the service account
        else
          error("no kubeconfig contexts found and not running in a cluster", 0)
        end
      end
    end

    local now = evictor.time.now()
    local now_text = evictor.time.format(now)
    local oldest = now - evictor.time.days(opts.max_age)
    local images = {}

    local function add(image, where, wanted, digest)
      if type(image) ~= "string" or image == "" then return end
      images[#images + 1] = { image = image, seen_at = where, last_wanted = wanted, digest = digest }
    end

    -- The manifest digest from an imageID; nil for runtimes that report only a local image id.
    local function digest_of(image_id)
      if type(image_id) ~= "string" then return nil end
      return image_id:match("@(sha256:%x+)$")
    end

    local function template_images(spec, where)
      if type(spec) ~= "table" then return end
      for _, field in ipairs({ "initContainers", "containers", "ephemeralContainers" }) do
        for _, container in ipairs(spec[field] or {}) do add(container.image, where, now_text) end
      end
    end

    local function finished_at(pod)
      local latest
      local status = pod.status or {}
      for _, field in ipairs({ "initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses" }) do
        for _, s in ipairs(status[field] or {}) do
          local terminated = s.state and s.state.terminated
          local t = terminated and terminated.finishedAt and evictor.time.parse(terminated.finishedAt)
          if t and (latest == nil or t > latest) then latest = t end
        end
      end
      return latest or (status.startTime and evictor.time.parse(status.startTime)) or now
    end

    local workloads = {
      { resource = "deployments", kind = "Deployment", template = function(o) return o.spec and o.spec.template and o.spec.template.spec end },
      { resource = "statefulsets", kind = "StatefulSet", template = function(o) return o.spec and o.spec.template and o.spec.template.spec end },
      { resource = "daemonsets", kind = "DaemonSet", template = function(o) return o.spec and o.spec.template and o.spec.template.spec end },
      { resource = "replicasets", kind = "ReplicaSet", template = function(o) return o.spec and o.spec.template and o.spec.template.spec end },
      { resource = "jobs", kind = "Job", template = function(o) return o.spec and o.spec.template and o.spec.template.spec end },
      { resource = "cronjobs", kind = "CronJob", template = function(o)
          local jt = o.spec and o.spec.jobTemplate
          return jt and jt.spec and jt.spec.template and jt.spec.template.spec
        end },
    }

    for _, context in ipairs(contexts) do
      local ctx = context or nil
      local label = context or "in-cluster"
      local function list(resource)
        local doc = evictor.json.decode(kubectl({ "get", resource, "--all-namespaces", "-o", "json" }, ctx))
        if type(doc) ~= "table" or type(doc.items) ~= "table" then
          error(string.format("context %s: kubectl get %s returned no item list", label, resource), 0)
        end
        return doc.items
      end

      for _, pod in ipairs(list("pods")) do
        local meta = pod.metadata or {}
        local where = string.format("k8s;%s;%s;Pod/%s", label, meta.namespace or "", meta.name or "")
        local phase = pod.status and pod.status.phase
        local finished = phase == "Succeeded" or phase == "Failed"
        local wanted = finished and finished_at(pod) or now
        if not finished or wanted >= oldest then
          local digests = {}
          local status = pod.status or {}
          for _, field in ipairs({ "initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses" }) do
            for _, s in ipairs(status[field] or {}) do digests[s.name or ""] = digest_of(s.imageID) end
          end
          local spec = pod.spec or {}
          for _, field in ipairs({ "initContainers", "containers", "ephemeralContainers" }) do
            for _, container in ipairs(spec[field] or {}) do
              local digest = digests[container.name or ""]
              -- A reference that already pins a digest keeps its own.
              if container.image and container.image:find("@", 1, true) then digest = nil end
              add(container.image, where, evictor.time.format(wanted), digest)
            end
          end
        end
      end

      for _, workload in ipairs(workloads) do
        for _, object in ipairs(list(workload.resource)) do
          local meta = object.metadata or {}
          local where = string.format("k8s;%s;%s;%s/%s", label, meta.namespace or "", workload.kind, meta.name or "")
          template_images(workload.template(object), where)
        end
      end
    end
    return images
  end,
}
