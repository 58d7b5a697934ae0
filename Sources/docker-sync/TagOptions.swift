import ArgumentParser
import Sync

/// The original's tag flags, shared by `sync` and `enqueue`.
struct TagOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .long], help: "Tags to sync: literal, glob (*), @semver or regex:… (default: all).")
    var tags: [String] = []

    @Option(name: [.short, .customLong("mutable-tags"), .customLong("mutableTags")], help: "Tags re-checked by digest every time.")
    var mutableTags: [String] = []

    @Option(name: [.short, .customLong("ignored-tags"), .customLong("ignoredTags")], help: "Tags never synced.")
    var ignoredTags: [String] = []

    /// The image to sync, every reference and pattern checked; lists may be comma-separated.
    /// `purge` is refused for an image that can never be purged (`--purge`).
    func image(source: String, targets: [String], purge: Bool = false) throws -> ImageSpec {
        let image = ImageSpec(source: source, targets: split(targets),
                              policy: TagPolicy(tags: split(tags), mutableTags: split(mutableTags), ignoredTags: split(ignoredTags)),
                              purge: purge)
        guard !image.targets.isEmpty else { throw CommandFailure("at least one --target is required") }
        if purge, let refusal = image.purgeRefusal { throw CommandFailure("--purge: \(refusal)") }
        do {
            try image.policy.validate()
            return try ImageSpec.validated(image)
        } catch {
            throw CommandFailure("\(error)")
        }
    }

    private func split(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
    }
}
