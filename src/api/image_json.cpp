#include "api/image_json.hpp"

#include "base/strings.hpp"
#include "base/time.hpp"

namespace berth::api {

namespace {

Json string_list(const std::vector<std::string>& v) {
    Json out = Json::array();
    for (const auto& s : v) out.push_back(s);
    return out;
}

// A list as Go's JSON encodes a nil slice: null when empty (image summaries).
Json list_or_null(const std::vector<std::string>& v) {
    return v.empty() ? Json(nullptr) : string_list(v);
}

Json labels_json(const std::map<std::string, std::string>& labels) {
    if (labels.empty()) return nullptr;
    Json out = Json::object();
    for (const auto& [k, v] : labels) out[k] = v;
    return out;
}

// The container config as docker's inspect shows it: every standard field present
// (Go's zero values), unknown ones kept as the image had them.
nlohmann::ordered_json container_config_json(const Json* from) {
    nlohmann::ordered_json c = {{"Hostname", ""},   {"Domainname", ""},  {"User", ""},       {"AttachStdin", false},
              {"AttachStdout", false}, {"AttachStderr", false}, {"Tty", false},
              {"OpenStdin", false}, {"StdinOnce", false}, {"Env", nullptr}, {"Cmd", nullptr},
              {"Image", ""},      {"Volumes", nullptr}, {"WorkingDir", ""}, {"Entrypoint", nullptr},
              {"OnBuild", nullptr}, {"Labels", nullptr}};
    if (from && from->is_object())
        for (const auto& [k, v] : from->items()) c[k] = v;
    return c;
}

std::string created_string(const image::ImageConfig& cfg) {
    // Docker prints the config's time as it parsed it; an image without one shows Go's
    // zero time.
    if (auto t = parse_rfc3339_nanos(cfg.created))
        return rfc3339(*t / 1'000'000'000, static_cast<long>(*t % 1'000'000'000));
    return "0001-01-01T00:00:00Z";
}

const Json* member(const Json& doc, const char* key) {
    auto it = doc.find(key);
    return it == doc.end() ? nullptr : &*it;
}

}  // namespace

Json image_summary_json(const image::ImageSummary& s, int containers) {
    bool dangling = s.repo_tags.empty() && s.repo_digests.empty();
    return {{"Id", s.id},
            {"ParentId", ""},
            {"RepoTags", dangling ? Json::array({"<none>:<none>"}) : list_or_null(s.repo_tags)},
            {"RepoDigests",
             dangling ? Json::array({"<none>@<none>"}) : list_or_null(s.repo_digests)},
            {"Created", s.created},
            {"Size", s.size},
            {"SharedSize", -1},
            {"VirtualSize", s.size},
            {"Labels", labels_json(s.labels)},
            {"Containers", containers}};
}

nlohmann::ordered_json image_inspect_json(const image::ImageSummary& s, const image::ImageConfig& cfg,
                                          const std::vector<std::string>& layer_dirs) {
    Json layers = Json::array();
    for (const auto& d : cfg.rootfs.diff_ids) layers.push_back(d.str());
    // LowerDir is top first, as overlayfs and docker's overlay2 list it.
    std::vector<std::string> lowers(layer_dirs.rbegin(), layer_dirs.rend());
    Json graph = {{"Name", "overlay2"}, {"Data", nullptr}};
    if (!lowers.empty())
        graph["Data"] = {{"LowerDir", join(std::vector<std::string>(lowers.begin() + 1, lowers.end()), ":")},
                         {"MergedDir", ""},
                         {"UpperDir", lowers.front()},
                         {"WorkDir", ""}};
    if (lowers.size() == 1) graph["Data"].erase("LowerDir");
    const Json& doc = cfg.document;
    nlohmann::ordered_json out = {{"Id", s.id},
                {"RepoTags", string_list(s.repo_tags)},
                {"RepoDigests", string_list(s.repo_digests)},
                {"Parent", ""},
                {"Comment", doc.value("comment", "")},
                {"Created", created_string(cfg)},
                {"Container", cfg.container},
                {"ContainerConfig", container_config_json(member(doc, "container_config"))},
                {"DockerVersion", cfg.docker_version},
                {"Author", cfg.author},
                {"Config", container_config_json(member(doc, "config"))},
                {"Architecture", cfg.architecture},
                {"Variant", cfg.variant},
                {"Os", cfg.os},
                {"OsVersion", cfg.os_version},
                {"Size", s.size},
                {"VirtualSize", s.size},
                {"GraphDriver", graph},
                {"RootFS", {{"Type", "layers"}, {"Layers", layers}}},
                {"Metadata", {{"LastTagTime", s.added ? rfc3339(s.added) : "0001-01-01T00:00:00Z"}}}};
    // omitempty in dockerd's struct.
    if (cfg.variant.empty()) out.erase("Variant");
    if (cfg.os_version.empty()) out.erase("OsVersion");
    return out;
}

Json image_history_json(const image::ImageSummary& s, const image::ImageConfig& cfg,
                        const std::vector<std::int64_t>& layer_sizes) {
    Json out = Json::array();
    std::size_t layer = 0;
    for (const auto& h : cfg.history) {
        std::int64_t size = 0;
        if (!h.empty_layer && layer < layer_sizes.size()) size = layer_sizes[layer++];
        auto t = parse_rfc3339_nanos(h.created);
        out.push_back({{"Id", "<missing>"},
                       {"Created", t ? *t / 1'000'000'000 : 0},
                       {"CreatedBy", h.created_by},
                       {"Tags", nullptr},
                       {"Size", size},
                       {"Comment", h.comment}});
    }
    if (cfg.history.empty()) {
        // An image without history (some importers write none): one line per layer.
        for (auto sz : layer_sizes)
            out.push_back({{"Id", "<missing>"}, {"Created", s.created}, {"CreatedBy", ""},
                           {"Tags", nullptr}, {"Size", sz}, {"Comment", ""}});
    }
    std::reverse(out.begin(), out.end());
    if (!out.empty()) {
        out[0]["Id"] = s.id;
        out[0]["Tags"] = s.repo_tags.empty() ? Json(nullptr) : string_list(s.repo_tags);
    }
    return out;
}

}  // namespace berth::api
