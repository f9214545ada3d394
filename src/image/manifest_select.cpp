// select_manifest (declared in manifest.hpp): picking one platform's manifest out
// of a multi-platform index.
#include "image/manifest.hpp"

namespace berth::image {

Result<Descriptor> select_manifest(const Index& index, const Platform& want) {
    // Entries without a platform rank after every real match.
    constexpr int kNoPlatformRank = 1000;
    const Descriptor* best = nullptr;
    int best_rank = -1;
    for (const auto& d : index.manifests) {
        int rank = d.platform ? platform_match_rank(want, *d.platform) : kNoPlatformRank;
        // Strictly better only: among equal ranks the first listed wins.
        if (rank >= 0 && (!best || rank < best_rank)) {
            best = &d;
            best_rank = rank;
        }
    }
    if (!best)
        return fail("no matching manifest for " + normalize_platform(want).str() +
                    " in the manifest list entries");
    return *best;
}

}  // namespace berth::image
