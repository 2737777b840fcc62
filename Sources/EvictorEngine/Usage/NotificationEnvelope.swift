import EvictorCore
import Foundation

/// Distribution's notification envelope (`{"events": [...]}`), turned into usage events:
/// manifest pushes, GET pulls and deletes. HEAD requests (Distribution reports them as pulls
/// too), blob events and Evictor's own requests are left out.
public enum NotificationEnvelope {
    /// Why a body was refused (nothing of it is recorded).
    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// What a body held: the events to record, and how many were ignored.
    public struct Parsed: Sendable {
        public var events: [UsageEvent]
        public var ignored: Int
    }

    private struct Envelope: Decodable {
        var events: [Event]
    }

    private struct Event: Decodable {
        struct Target: Decodable {
            var mediaType: String?
            var digest: String?
            var repository: String?
            var tag: String?
        }

        struct Request: Decodable {
            var id: String?
            var method: String?
            var useragent: String?
        }

        var id: String
        var timestamp: String
        var action: String
        var target: Target
        var request: Request?
    }

    /// Parses a body; throws `Invalid` for anything that is not a well-formed envelope.
    public static func parse(_ body: Data, ownUserAgent: String = "evictor") throws(Invalid) -> Parsed {
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: body)
        } catch {
            throw Invalid(description: "not a notification envelope ({\"events\": [...]} with id, timestamp, action, target)")
        }
        var events: [UsageEvent] = []
        var ignored = 0
        for event in envelope.events {
            guard let action = UsageEvent.Action(rawValue: event.action), let repository = event.target.repository,
                let digestText = event.target.digest, isManifest(event.target.mediaType, action: action)
            else {
                ignored += 1
                continue
            }
            guard let digest = try? Digest(parsing: digestText), let time = Timestamp.parse(event.timestamp) else {
                throw Invalid(description: "event \(event.id): bad digest or timestamp")
            }
            if action == .pull {
                // A HEAD arrives as a pull too; only a GET by someone other than Evictor is usage.
                guard event.request?.method?.uppercased() == "GET", !(event.request?.useragent ?? "").lowercased().hasPrefix(ownUserAgent) else {
                    ignored += 1
                    continue
                }
            }
            let key = action == .pull ? (event.request?.id).map { "request:\($0)" } ?? "event:\(event.id)" : "event:\(event.id)"
            events.append(UsageEvent(key: key, action: action, time: time, repository: repository, digest: digest, tag: event.target.tag))
        }
        return Parsed(events: events, ignored: ignored)
    }

    /// Manifest events carry a manifest or index media type (deletes may carry none).
    static func isManifest(_ mediaType: String?, action: UsageEvent.Action) -> Bool {
        guard let mediaType, !mediaType.isEmpty else { return action == .delete }
        let type = mediaType.lowercased()
        return type.contains("manifest") || type.contains("image.index") || type.contains("manifest.list")
    }
}
