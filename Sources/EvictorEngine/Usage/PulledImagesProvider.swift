import EvictorScripting
import Foundation
import RegistryAPI

/// `host.pulled(days)` of sources with the `usage` capability, from the config's usage store
/// (`STATE/usage.sqlite`): each registry's manifests pulled within the days, named by the
/// registry's `host:port` so the references match the registry's images.
public enum PulledImagesProvider {
    /// The provider for `config` (opened read-only on first use; an error then when there is no store).
    public static func make(for config: EvictorConfig) -> PulledImages {
        let path = "\(config.state.directory)/\(UsageStore.fileName)"
        let hosts = config.registries.map { registry in
            (name: registry.name, host: (try? RegistryEndpoint(parsing: registry.url, plainHTTP: false).hostPort) ?? registry.url)
        }
        return { days in
            let store = try UsageStore(readingAt: path)
            let cutoff = Date().addingTimeInterval(-days * 86_400)
            var images: [PulledImage] = []
            for (name, host) in hosts {
                for row in try store.manifests(registry: name) where row.deleted == nil {
                    guard let pulled = row.lastPulled, pulled >= cutoff else { continue }
                    images.append(
                        PulledImage(
                            registry: host, repository: row.repository, digest: row.digest, tags: row.tags, lastPulled: pulled,
                            pullCount: row.pullCount))
                }
            }
            return images
        }
    }
}
