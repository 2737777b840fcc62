import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// Debian's headless Chromium, driven through its chromedriver (package `chromium-driver`) by
/// the W3C WebDriver protocol: plain JSON over HTTP on 127.0.0.1, so no Selenium and no other
/// language. Chrome DevTools commands (`goog/cdp/execute`) do what WebDriver cannot: request
/// headers (a bearer token on every load) and a phone's viewport. Started by the test, the
/// driver stopped by its PID.
public final class HeadlessChromium: Sendable {
    /// chromedriver's base URL.
    public let driverURL: String
    /// The WebDriver session id.
    public let session: String
    private let driver: Mutex<Process>
    private let driverPID: Int32

    private init(driverURL: String, session: String, driver: Process) {
        self.driverURL = driverURL
        self.session = session
        self.driverPID = driver.processIdentifier
        self.driver = Mutex(driver)
    }

    private var driverRunning: Bool { driver.withLock { $0.isRunning } }

    /// Starts chromedriver on a free port and a headless Chromium session with a window of
    /// `width` x `height` CSS pixels (Chromium keeps windows at least 500 wide: for a phone use
    /// `emulateViewport`).
    public static func start(width: Int = 1200, height: Int = 1600) async throws -> HeadlessChromium {
        guard let chromedriver = ProcessRunner.which("chromedriver") else {
            throw TestSupportError("chromedriver not found: install Debian's chromium-driver (scripts/setup does)")
        }
        guard let chromium = ProcessRunner.which("chromium") else {
            throw TestSupportError("chromium not found: install Debian's chromium (scripts/setup does)")
        }
        var lastError: Error = TestSupportError("chromedriver did not start")
        for _ in 0..<3 {
            let port = try FreePort.next()
            let process = Process()
            // At low priority, with the browser it starts (see MotoServer.launch).
            process.executableURL = URL(fileURLWithPath: "/usr/bin/nice")
            process.arguments = ["-n", "10", chromedriver, "--port=\(port)", "--allowed-ips=127.0.0.1", "--silent"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let url = "http://127.0.0.1:\(port)"
            do {
                try await waitUntilReady(url, process: process)
                let capabilities: [String: Any] = [
                    "capabilities": [
                        "alwaysMatch": [
                            "browserName": "chrome",
                            "goog:chromeOptions": [
                                "binary": chromium,
                                "args": [
                                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                                    "--disable-extensions", "--window-size=\(width),\(height)", "--lang=en-US",
                                ],
                            ],
                        ]
                    ]
                ]
                let created = try await call(url, "POST", "/session", body: try JSONSerialization.data(withJSONObject: capabilities))
                guard let value = created as? [String: Any], let session = value["sessionId"] as? String else {
                    throw TestSupportError("chromedriver: no session in \(String(describing: created))")
                }
                return HeadlessChromium(driverURL: url, session: session, driver: process)
            } catch {
                lastError = error
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
        throw lastError
    }

    private static func waitUntilReady(_ url: String, process: Process) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw TestSupportError("chromedriver exited \(process.terminationStatus)") }
            if let status = try? await call(url, "GET", "/status") as? [String: Any], status["ready"] as? Bool == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSupportError("chromedriver did not answer on \(url)/status")
    }

    /// One WebDriver command; returns its `value` (JSON), throws its error.
    private static func call(_ base: String, _ method: String, _ path: String, body: Data? = nil) async throws -> Any? {
        var request = HTTPClientRequest(url: base + path)
        request.method = .init(rawValue: method)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
        let data = Data(String(buffer: try await response.body.collect(upTo: 256 << 20)).utf8)
        let json = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        let value = (json as? [String: Any])?["value"]
        guard response.status.code < 300 else {
            let error = value as? [String: Any]
            let message = error?["message"] ?? String(decoding: data, as: UTF8.self)
            throw TestSupportError("WebDriver \(method) \(path): \(response.status.code) \(error?["error"] ?? "") \(message)")
        }
        return value is NSNull ? nil : value
    }

    private func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        try await Self.call(
            driverURL, method, "/session/\(session)\(path)", body: try body.map { try JSONSerialization.data(withJSONObject: $0) })
    }

    /// A Chrome DevTools Protocol command (`Network.enable`, `Emulation.setDeviceMetricsOverride`, ...).
    @discardableResult
    public func devTools(_ name: String, _ parameters: [String: Any] = [:]) async throws -> Any? {
        try await command("POST", "/goog/cdp/execute", ["cmd": name, "params": parameters])
    }

    /// Sends these headers with every request the page makes from now on (e.g. `Authorization`).
    public func setExtraHeaders(_ headers: [String: String]) async throws {
        try await devTools("Network.enable")
        try await devTools("Network.setExtraHTTPHeaders", ["headers": headers])
    }

    /// Lays pages out as on a device `width` x `height` CSS pixels large (`mobile`: the page's
    /// viewport meta is honoured, as on a phone).
    public func emulateViewport(width: Int, height: Int, mobile: Bool = true) async throws {
        try await devTools(
            "Emulation.setDeviceMetricsOverride", ["width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile])
    }

    /// Back to the window's own size.
    public func clearViewport() async throws {
        try await devTools("Emulation.clearDeviceMetricsOverride")
    }

    /// Loads `url` and waits for the page's load event.
    public func load(_ url: String) async throws {
        _ = try await command("POST", "/url", ["url": url])
    }

    /// Runs `script` (a function body: `return ...`) in the page; returns its value decoded.
    public func evaluate<Value: Decodable>(_ script: String, as type: Value.Type = Value.self) async throws -> Value {
        let value = try await command("POST", "/execute/sync", ["script": script, "args": [Any]()])
        let data = try JSONSerialization.data(withJSONObject: ["value": value ?? NSNull()])
        return try JSONDecoder().decode(Box<Value>.self, from: data).value
    }

    private struct Box<Value: Decodable>: Decodable {
        var value: Value
    }

    /// The page's DOM as serialized now (`document.documentElement.outerHTML`, with a doctype).
    public func dom() async throws -> String {
        try await evaluate("return '<!DOCTYPE html>' + document.documentElement.outerHTML", as: String.self)
    }

    /// A PNG of what the viewport shows (`fullPage`: the whole page, however long).
    public func screenshot(fullPage: Bool = false) async throws -> Data {
        let result = try await devTools("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": fullPage])
        guard let encoded = (result as? [String: Any])?["data"] as? String, let data = Data(base64Encoded: encoded) else {
            throw TestSupportError("no screenshot data")
        }
        return data
    }

    /// Ends the session (Chromium quits) and stops chromedriver by its PID.
    public func stop() async {
        _ = try? await command("DELETE", "")
        if driverRunning { kill(driverPID, SIGTERM) }
        let deadline = ContinuousClock.now + .seconds(10)
        while driverRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        driver.withLock { process in
            if process.isRunning { kill(driverPID, SIGKILL) }
            process.waitUntilExit()
        }
    }

    deinit {
        driver.withLock { process in
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }
    }
}
