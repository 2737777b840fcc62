import EvictorEngine
import Foundation
import Testing

@Suite("a registry config's storage.s3 section")
struct RegistryS3SettingsTests {
    static func write(_ yaml: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("evictor-s3-\(UUID().uuidString).yml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("every key read; the description and errors never show the secret key")
    func parses() throws {
        let file = try Self.write(
            """
            version: 0.1
            storage:
              s3:
                accesskey: AKIDEXAMPLE
                secretkey: do-not-print-me
                region: eu-west-1
                regionendpoint: http://127.0.0.1:9000
                bucket: images
                rootdirectory: /registry
                secure: false
                v4auth: true
            """)
        defer { try? FileManager.default.removeItem(atPath: file) }
        guard case .s3(let settings) = try RegistryStorageSettings.location(inRegistryConfig: file) else {
            Issue.record("not read as s3")
            return
        }
        #expect(settings.bucket == "images" && settings.region == "eu-west-1" && settings.rootDirectory == "/registry")
        #expect(settings.endpoint == "http://127.0.0.1:9000" && !settings.secure)
        #expect(settings.accessKey == "AKIDEXAMPLE" && settings.secretKey == "do-not-print-me")
        #expect(!"\(settings)".contains("do-not-print-me"))
        let configuration = try settings.configuration(environment: [:], file: file)
        #expect(configuration.endpoint == "http://127.0.0.1:9000" && configuration.bucket == "images")
        #expect(!"\(configuration.credentials)".contains("do-not-print-me"))
    }

    @Test("credentials from AWS_* when the file has none; a missing bucket names the key, not a value")
    func environmentAndErrors() throws {
        let file = try Self.write("storage:\n  s3:\n    region: us-east-1\n    bucket: b\n")
        defer { try? FileManager.default.removeItem(atPath: file) }
        guard case .s3(let settings) = try RegistryStorageSettings.location(inRegistryConfig: file) else {
            Issue.record("not read as s3")
            return
        }
        let environment = ["AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "env-secret", "AWS_SESSION_TOKEN": "tok"]
        let configuration = try settings.configuration(environment: environment, file: file)
        #expect(configuration.credentials.accessKeyID == "AKIDENV" && configuration.credentials.sessionToken == "tok")
        #expect(configuration.endpoint == "https://s3.us-east-1.amazonaws.com")
        #expect(throws: ConfigError.self) { try settings.configuration(environment: [:], file: file) }

        let noBucket = try Self.write("storage:\n  s3:\n    region: us-east-1\n    secretkey: hidden-value\n")
        defer { try? FileManager.default.removeItem(atPath: noBucket) }
        do {
            _ = try RegistryStorageSettings.location(inRegistryConfig: noBucket)
            Issue.record("a missing bucket was accepted")
        } catch {
            #expect(error.description.contains("storage.s3.bucket") && !error.description.contains("hidden-value"))
        }
    }
}
