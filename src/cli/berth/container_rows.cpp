#include "cli/berth/container_rows.hpp"

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "base/strings.hpp"
#include "cli/berth/image_names.hpp"
#include "cli/berth/time_text.hpp"
#include "cli/format/units.hpp"

namespace berth::cli {
namespace {

// Cuts `text` to `width` code points, the last one "…" (docker's Ellipsis).
std::string ellipsis(std::string_view text, size_t width) {
    std::vector<size_t> starts;
    for (size_t i = 0; i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) starts.push_back(i);
    if (starts.size() <= width || width == 0) return std::string(text);
    return std::string(text.substr(0, starts[width - 1])) + "…";
}

std::string names_of(const Json& c, bool no_trunc) {
    std::vector<std::string> names;
    if (auto it = c.find("Names"); it != c.end() && it->is_array())
        for (const auto& n : *it) {
            std::string name = n.is_string() ? n.get<std::string>() : "";
            names.push_back(name.starts_with("/") ? name.substr(1) : name);
        }
    if (!no_trunc)
        for (const auto& n : names)
            if (n.find('/') == std::string::npos) return n;  // links show as "other/alias"
    return join(names, ",");
}

std::string image_of(const Json& c, bool no_trunc) {
    std::string image = c.value("Image", "");
    if (image.empty()) return "<no image>";
    std::string image_id = c.value("ImageID", "");
    if (!no_trunc && short_id(image_id) == short_id(image)) return short_id(image);
    return image;
}

std::string size_of(const Json& c) {
    auto rw = c.value("SizeRw", std::int64_t{0});
    auto root = c.value("SizeRootFs", std::int64_t{0});
    std::string text = human_size_with_precision(static_cast<double>(rw), 3);
    if (root > 0)
        text += " (virtual " + human_size_with_precision(static_cast<double>(root), 3) + ")";
    return text;
}

Json labels_of(const Json& c) {
    auto it = c.find("Labels");
    return it != c.end() && it->is_object() ? *it : Json::object();
}

std::string labels_text(const Json& labels) {
    std::vector<std::string> parts;
    for (const auto& [k, v] : labels.items())
        parts.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : ""));
    return join(parts, ",");
}

std::pair<std::string, int> mounts_of(const Json& c, bool no_trunc) {
    std::vector<std::string> names;
    int volumes = 0;
    if (auto it = c.find("Mounts"); it != c.end() && it->is_array())
        for (const auto& m : *it) {
            bool volume = m.value("Type", "") == "volume";
            volumes += volume ? 1 : 0;
            std::string name = volume ? m.value("Name", "") : m.value("Source", "");
            names.push_back(no_trunc ? name : ellipsis(name, 15));
        }
    return {join(names, ","), volumes};
}

std::string networks_of(const Json& c) {
    std::vector<std::string> names;
    if (auto settings = c.find("NetworkSettings"); settings != c.end() && settings->is_object())
        if (auto nets = settings->find("Networks"); nets != settings->end() && nets->is_object())
            for (const auto& [name, _] : nets->items()) names.push_back(name);
    return join(names, ",");
}

struct Port {
    std::string ip;
    int private_port = 0;
    int public_port = 0;
    std::string type;
};

std::string form_group(const std::string& key, int first, int last) {
    size_t slash = key.rfind('/');
    std::string ip = slash == std::string::npos ? "" : key.substr(0, slash);
    std::string type = slash == std::string::npos ? key : key.substr(slash + 1);
    std::string group = std::to_string(first);
    if (first != last) group += "-" + std::to_string(last);
    if (!ip.empty()) group = ip + ":" + group + "->" + group;
    return group + "/" + type;
}

std::string join_host_port(const std::string& ip, int port) {
    if (ip.find(':') != std::string::npos) return "[" + ip + "]:" + std::to_string(port);
    return ip + ":" + std::to_string(port);
}

}  // namespace

std::string quoted_command(std::string_view command, bool no_trunc) {
    std::string text = no_trunc ? std::string(command) : ellipsis(command, 20);
    std::string out = "\"";
    for (unsigned char c : text) {
        if (c == '"' || c == '\\')
            out += '\\', out += static_cast<char>(c);
        else if (c == '\n')
            out += "\\n";
        else if (c == '\t')
            out += "\\t";
        else if (c == '\r')
            out += "\\r";
        else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else
            out += static_cast<char>(c);
    }
    return out + "\"";
}

std::string displayable_ports(const Json& ports_json) {
    std::vector<Port> ports;
    if (ports_json.is_array())
        for (const auto& p : ports_json)
            ports.push_back({p.value("IP", ""), p.value("PrivatePort", 0), p.value("PublicPort", 0),
                             p.value("Type", "")});
    std::sort(ports.begin(), ports.end(), [](const Port& a, const Port& b) {
        return std::tie(a.private_port, a.public_port, a.type, a.ip) <
               std::tie(b.private_port, b.public_port, b.type, b.ip);
    });
    std::vector<std::string> result, host_mappings, keys;
    std::map<std::string, std::pair<int, int>> groups;
    for (const auto& port : ports) {
        std::string key = port.type;
        if (!port.ip.empty()) {
            if (port.public_port != port.private_port) {
                host_mappings.push_back(join_host_port(port.ip, port.public_port) + "->" +
                                        std::to_string(port.private_port) + "/" + port.type);
                continue;
            }
            key = port.ip + "/" + port.type;
        }
        auto it = groups.find(key);
        if (it == groups.end()) {
            groups[key] = {port.private_port, port.private_port};
            keys.push_back(key);
            continue;
        }
        if (port.private_port == it->second.second + 1) {
            it->second.second = port.private_port;
            continue;
        }
        result.push_back(form_group(key, it->second.first, it->second.second));
        it->second = {port.private_port, port.private_port};
    }
    for (const auto& key : keys)
        result.push_back(form_group(key, groups[key].first, groups[key].second));
    result.insert(result.end(), host_mappings.begin(), host_mappings.end());
    return join(result, ", ");
}

std::vector<Json> container_rows(const Json& containers, const ContainerRowOptions& options) {
    std::vector<Json> rows;
    if (!containers.is_array()) return rows;
    for (const auto& c : containers) {
        std::string id = c.value("Id", "");
        auto created = c.value("Created", std::int64_t{0});
        Json labels = labels_of(c);
        auto [mounts, volumes] = mounts_of(c, options.no_trunc);
        rows.push_back({
            {"ID", options.no_trunc ? id : id.substr(0, 12)},
            {"Image", image_of(c, options.no_trunc)},
            {"Command", quoted_command(c.value("Command", ""), options.no_trunc)},
            {"CreatedAt", go_time_string(created)},
            {"RunningFor", created_since(created, options.now)},
            {"Ports", displayable_ports(c.contains("Ports") ? c["Ports"] : Json::array())},
            {"State", c.value("State", "")},
            {"Status", c.value("Status", "")},
            {"Size", size_of(c)},
            {"Names", names_of(c, options.no_trunc)},
            {"Labels", labels_text(labels)},
            {"Label", labels},
            {"Mounts", mounts},
            {"LocalVolumes", std::to_string(volumes)},
            {"Networks", networks_of(c)},
        });
    }
    return rows;
}

std::string ps_table_format(bool size) {
    std::string format =
        "table "
        "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
    return size ? format + "\t{{.Size}}" : format;
}

const std::map<std::string, std::string>& container_headers() {
    static const std::map<std::string, std::string> headers = {
        {"ID", "CONTAINER ID"},    {"Image", "IMAGE"},
        {"Command", "COMMAND"},    {"CreatedAt", "CREATED AT"},
        {"RunningFor", "CREATED"}, {"Ports", "PORTS"},
        {"State", "STATE"},        {"Status", "STATUS"},
        {"Size", "SIZE"},          {"Names", "NAMES"},
        {"Labels", "LABELS"},      {"Label", "LABEL"},
        {"Mounts", "MOUNTS"},      {"LocalVolumes", "LOCAL VOLUMES"},
        {"Networks", "NETWORKS"},
    };
    return headers;
}

}  // namespace berth::cli
