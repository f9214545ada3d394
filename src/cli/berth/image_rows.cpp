#include "cli/berth/image_rows.hpp"

#include <utility>

#include "cli/berth/image_names.hpp"
#include "cli/berth/time_text.hpp"
#include "cli/format/units.hpp"
#include "image/reference.hpp"

namespace berth::cli {
namespace {

std::int64_t int_field(const Json& obj, const char* key, std::int64_t fallback) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_number() ? it->get<std::int64_t>() : fallback;
}

std::vector<std::string> strings_field(const Json& obj, const char* key) {
    std::vector<std::string> out;
    if (auto it = obj.find(key); it != obj.end() && it->is_array())
        for (const auto& v : *it)
            if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

// Repositories in first-seen order with their tags (or digests).
using Grouped = std::vector<std::pair<std::string, std::vector<std::string>>>;

void add_to(Grouped& groups, const std::string& repo, const std::string& value) {
    for (auto& [r, values] : groups)
        if (r == repo) return values.push_back(value);
    groups.push_back({repo, {value}});
}

Grouped tags_by_repo(const std::vector<std::string>& refs) {
    Grouped out;
    for (const auto& text : refs) {
        auto ref = image::parse_reference(text);
        if (ref && !ref->tag.empty()) add_to(out, ref->familiar_repository(), ref->tag);
    }
    return out;
}

Grouped digests_by_repo(const std::vector<std::string>& refs) {
    Grouped out;
    for (const auto& text : refs) {
        auto ref = image::parse_reference(text);
        if (ref && ref->digest) add_to(out, ref->familiar_repository(), ref->digest->str());
    }
    return out;
}

bool dangling(const std::vector<std::string>& tags, const std::vector<std::string>& digests) {
    bool no_tags = tags.empty() || (tags.size() == 1 && tags[0] == "<none>:<none>");
    bool no_digests = digests.empty() || (digests.size() == 1 && digests[0] == "<none>@<none>");
    return no_tags && no_digests;
}

Json row_base(const Json& image, const ImageRowOptions& options) {
    std::string id = image.value("Id", "");
    std::int64_t created = int_field(image, "Created", 0);
    std::int64_t size = int_field(image, "Size", 0);
    std::int64_t virtual_size = int_field(image, "VirtualSize", size);
    std::int64_t shared = int_field(image, "SharedSize", -1);
    std::int64_t containers = int_field(image, "Containers", -1);
    return {
        {"ID", options.no_trunc ? id : short_id(id)},
        {"CreatedSince", created_since(created, options.now)},
        {"CreatedAt", go_time_string(created)},
        {"Size", human_size_with_precision(static_cast<double>(size), 3)},
        {"VirtualSize", human_size(static_cast<double>(virtual_size))},
        {"SharedSize", shared == -1 ? "N/A" : human_size(static_cast<double>(shared))},
        {"UniqueSize", shared == -1 ? "N/A" : human_size(static_cast<double>(virtual_size - shared))},
        {"Containers", containers == -1 ? "N/A" : std::to_string(containers)},
    };
}

}  // namespace

std::vector<Json> image_rows(const Json& images, const ImageRowOptions& options) {
    std::vector<Json> rows;
    if (!images.is_array()) return rows;
    for (const auto& image : images) {
        if (!image.is_object()) continue;
        Json base = row_base(image, options);
        auto add = [&](const std::string& repo, const std::string& tag, const std::string& digest) {
            Json row = base;
            row["Repository"] = repo;
            row["Tag"] = tag;
            row["Digest"] = digest;
            rows.push_back(std::move(row));
        };
        auto tag_refs = strings_field(image, "RepoTags");
        auto digest_refs = strings_field(image, "RepoDigests");
        if (dangling(tag_refs, digest_refs)) {
            add("<none>", "<none>", "<none>");
            continue;
        }
        Grouped digests = digests_by_repo(digest_refs);
        for (const auto& [repo, tags] : tags_by_repo(tag_refs)) {
            std::vector<std::string> repo_digests;
            for (auto it = digests.begin(); it != digests.end(); ++it) {
                if (it->first != repo) continue;
                repo_digests = std::move(it->second);
                digests.erase(it);  // shown with the tags, not as rows of their own
                break;
            }
            if (!options.digests) repo_digests.clear();
            for (const auto& tag : tags) {
                if (repo_digests.empty()) add(repo, tag, "<none>");
                for (const auto& d : repo_digests) add(repo, tag, d);
            }
        }
        for (const auto& [repo, ds] : digests) {
            if (!options.digests) {
                add(repo, "<none>", "");
                continue;
            }
            for (const auto& d : ds) add(repo, "<none>", d);
        }
    }
    return rows;
}

std::string images_table_format(bool digests) {
    return digests ? "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
                   : "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}";
}

const std::map<std::string, std::string>& image_headers() {
    static const std::map<std::string, std::string> h = {
        {"Repository", "REPOSITORY"}, {"Tag", "TAG"},           {"Digest", "DIGEST"},
        {"ID", "IMAGE ID"},           {"CreatedSince", "CREATED"}, {"CreatedAt", "CREATED AT"},
        {"Size", "SIZE"},             {"SharedSize", "SHARED SIZE"}, {"UniqueSize", "UNIQUE SIZE"},
        {"VirtualSize", "VIRTUAL SIZE"}, {"Containers", "CONTAINERS"},
    };
    return h;
}

}  // namespace berth::cli
