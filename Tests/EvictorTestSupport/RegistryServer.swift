import AsyncHTTPClient
import Foundation
import NIOSSL
import Synchronization

/// How a test registry is configured.
public struct RegistryOptions: Sendable {
    /// `storage.delete.enabled`.
    public var deleteEnabled = true
    /// `storage.maintenance.readonly.enabled`.
    public var readOnly = false
    /// Basic auth against this htpasswd file (bcrypt entries only, as Distribution requires).
    public var htpasswdFile: String?
    /// Bearer-token auth (`auth.token`).
    public var tokenAuth: TokenAuthOptions?
    /// Reuse this storage root instead of a fresh temporary one.
    public var storageRoot: URL?
    /// Serve HTTPS with this PEM certificate and key (`http.tls`).
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// Send notifications (pushes, pulls, deletes) to this URL with `Authorization: Bearer TOKEN`.
    public var notifications: (url: String, token: String)?
    /// Write the access log (`response completed` lines) into the registry's log file.
    public var accessLog = false
    /// Keep the blobs in this bucket (the `s3` driver) instead of a local directory.
    public var s3: S3StorageOptions?

    public init() {}
}

/// The registry's `storage.s3` section: a bucket on a local S3 endpoint (see `MotoServer`).
public struct S3StorageOptions: Sendable {
    public var endpoint: String
    public var bucket: String
    public var rootDirectory: String
    public var accessKey = MotoServer.accessKey
    public var secretKey = MotoServer.secretKey
    public var region = MotoServer.region

    public init(endpoint: String, bucket: String, rootDirectory: String = "") {
        self.endpoint = endpoint
        self.bucket = bucket
        self.rootDirectory = rootDirectory
    }

    /// The section as it appears under `storage:` (two spaces in).
    public var yaml: String {
        """
          s3:
            accesskey: \(accessKey)
            secretkey: \(secretKey)
            region: \(region)
            regionendpoint: \(endpoint)
            bucket: \(bucket)
            rootdirectory: \(rootDirectory.isEmpty ? "/" : rootDirectory)
            secure: false
            v4auth: true

        """
    }
}

/// The registry's side of bearer-token auth: who issues tokens and the key that signs them.
public struct TokenAuthOptions: Sendable {
    public var realm: String
    public var service: String
    public var issuer: String
    /// PEM certificate(s) whose keys sign the tokens.
    public var rootCertBundle: String

    public init(realm: String, service: String, issuer: String, rootCertBundle: String) {
        self.realm = realm
        self.service = service
        self.issuer = issuer
        self.rootCertBundle = rootCertBundle
    }
}

/// A real CNCF Distribution registry (Debian's `docker-registry`) on a free 127.0.0.1 port with
/// its own temporary root. Started by the test, stopped by PID.
public final class RegistryServer: Sendable {
    public let port: Int
    public let workDirectory: URL
    public let storageRoot: URL
    public let configFile: URL
    public let logFile: URL
    public let options: RegistryOptions
    /// A value only this registry sends (`X-Evictor-Instance`), to tell it from another on the port.
    let instance = UUID().uuidString
    private let process = Mutex<Process?>(nil)

    /// `127.0.0.1:PORT`.
    public var hostPort: String { "127.0.0.1:\(port)" }
    /// `http://127.0.0.1:PORT` (`https://` when serving TLS).
    public var url: String { "\(options.tlsCertificate == nil ? "http" : "https")://\(hostPort)" }
    /// The process id while running.
    public var pid: Int32? { process.withLock { $0?.processIdentifier } }

    private init(port: Int, workDirectory: URL, options: RegistryOptions) {
        self.port = port
        self.workDirectory = workDirectory
        self.storageRoot = options.storageRoot ?? workDirectory.appendingPathComponent("storage")
        self.configFile = workDirectory.appendingPathComponent("config.yml")
        self.logFile = workDirectory.appendingPathComponent("registry.log")
        self.options = options
    }

    /// Starts a registry and waits until `/v2/` answers.
    public static func start(_ options: RegistryOptions = RegistryOptions()) async throws -> RegistryServer {
        var lastError: Error = TestSupportError("registry did not start")
        for _ in 0..<3 {
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-registry-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            let server = RegistryServer(port: try FreePort.next(), workDirectory: work, options: options)
            do {
                try server.writeConfig()
                try await server.launch()
                return server
            } catch {
                lastError = error
                server.stop()
            }
        }
        throw lastError
    }

    /// Starts a registry, runs `body`, and always stops the registry afterwards.
    public static func with<Result>(
        _ options: RegistryOptions = RegistryOptions(),
        _ body: (RegistryServer) async throws -> Result
    ) async throws -> Result {
        let server = try await start(options)
        do {
            let result = try await body(server)
            server.stop()
            return result
        } catch {
            server.stop()
            throw error
        }
    }

    /// Starts a registry with basic auth for one user (bcrypt htpasswd), runs `body`, and always
    /// stops the registry and removes the htpasswd file afterwards.
    public static func withBasicAuth<Result>(
        user: String, password: String, _ body: (RegistryServer) async throws -> Result
    ) async throws -> Result {
        let htpasswd = try await Htpasswd.write(user: user, password: password)
        defer { try? FileManager.default.removeItem(at: htpasswd) }
        var options = RegistryOptions()
        options.htpasswdFile = htpasswd.path
        return try await with(options, body)
    }

    /// Starts a registry serving HTTPS with a fresh self-signed certificate, runs `body`, and
    /// always stops the registry and removes the certificate afterwards.
    public static func withTLS<Result>(
        _ options: RegistryOptions = RegistryOptions(),
        _ body: (RegistryServer, TestCertificate) async throws -> Result
    ) async throws -> Result {
        let certificate = try await TestCertificate.make()
        defer { certificate.remove() }
        var options = options
        options.tlsCertificate = certificate.certificateFile
        options.tlsKey = certificate.keyFile
        return try await with(options) { registry in try await body(registry, certificate) }
    }

    /// Stops the process (SIGTERM, then SIGKILL) and starts it again on the same root and port,
    /// which also drops the registry's in-memory blob cache.
    public func restart() async throws {
        terminate()
        try await launch()
    }

    /// Stops the process but keeps its storage (`restart` starts it again), for tests that
    /// change the store offline as an operator would.
    public func suspend() {
        terminate()
    }

    /// Stops the registry by PID and removes its temporary directory.
    public func stop() {
        terminate()
        try? FileManager.default.removeItem(at: workDirectory)
    }

    private func terminate() {
        guard
            let running = process.withLock({ current -> Process? in
                defer { current = nil }
                return current
            })
        else { return }
        let pid = running.processIdentifier
        guard running.isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while running.isRunning && Date() < deadline { usleep(20_000) }
        if running.isRunning {
            kill(pid, SIGKILL)
            running.waitUntilExit()
        }
    }

    private func launch() async throws {
        guard let executable = ProcessRunner.which("docker-registry") else {
            throw TestSupportError("docker-registry not found: install Debian's docker-registry package")
        }
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let log = try FileHandle(forWritingTo: logFile)
        log.seekToEndOfFile()
        let child = Process()
        child.executableURL = URL(fileURLWithPath: executable)
        child.arguments = ["serve", configFile.path]
        child.standardOutput = log
        child.standardError = log
        child.standardInput = FileHandle.nullDevice
        // Distribution 2.8's S3 driver panics at start when AWS_CA_BUNDLE is set.
        var environment = ProcessInfo.processInfo.environment
        environment["AWS_CA_BUNDLE"] = nil
        child.environment = environment
        try child.run()
        process.withLock { $0 = child }
        try await waitUntilReady(child)
    }

    private func waitUntilReady(_ child: Process) async throws {
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            if !child.isRunning {
                throw TestSupportError("docker-registry exited: \(logTail())")
            }
            var request = HTTPClientRequest(url: "\(url)/v2/")
            request.method = .GET
            if let response = try? await Self.readinessClient.execute(request, timeout: .seconds(2)) {
                _ = try? await response.body.collect(upTo: 1 << 20)
                // Another test's registry may hold this port (free-port races): only our
                // instance's header counts, else this one failed to bind and start() retries.
                guard response.headers.first(name: "X-Evictor-Instance") == instance else {
                    throw TestSupportError("port \(port) is answered by another server")
                }
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSupportError("docker-registry did not answer on \(url)/v2/: \(logTail())")
    }

    /// Any HTTP answer means the registry is up, so certificates are not checked here.
    private static let readinessClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        configuration.tlsConfiguration = tls
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    private func logTail() -> String {
        let text = (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
        return String(text.suffix(1_000))
    }

    private func writeConfig() throws {
        try FileManager.default.createDirectory(at: storageRoot, withIntermediateDirectories: true)
        var yaml = """
            version: 0.1
            log:
              level: \(options.accessLog ? "info" : "warn")
              accesslog:
                disabled: \(!options.accessLog)
            storage:
            \(options.s3?.yaml ?? "  filesystem:\n    rootdirectory: \(storageRoot.path)\n")  delete:
                enabled: \(options.deleteEnabled)
              maintenance:
                uploadpurging:
                  enabled: false
                readonly:
                  enabled: \(options.readOnly)
            http:
              addr: 127.0.0.1:\(port)
              secret: evictor-test-secret
              headers:
                X-Evictor-Instance: [\(instance)]

            """
        if let certificate = options.tlsCertificate, let key = options.tlsKey {
            yaml += """
                  tls:
                    certificate: \(certificate)
                    key: \(key)

                """
        }
        if let htpasswd = options.htpasswdFile {
            yaml += """
                auth:
                  htpasswd:
                    realm: evictor-test
                    path: \(htpasswd)

                """
        } else if let token = options.tokenAuth {
            yaml += """
                auth:
                  token:
                    realm: \(token.realm)
                    service: \(token.service)
                    issuer: \(token.issuer)
                    rootcertbundle: \(token.rootCertBundle)

                """
        }
        if let (url, token) = options.notifications {
            yaml += """
                notifications:
                  events:
                    includereferences: true
                  endpoints:
                    - name: evictor
                      url: \(url)
                      headers:
                        Authorization: [Bearer \(token)]
                      timeout: 2s
                      threshold: 3
                      backoff: 500ms

                """
        }
        try yaml.write(to: configFile, atomically: true, encoding: .utf8)
    }
}
