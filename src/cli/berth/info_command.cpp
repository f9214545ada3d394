// berth info: GET /info in docker's text layout (the fields the daemon reports).
#include "cli/berth/command.hpp"
#include "cli/berth/list_output.hpp"
#include "cli/format/units.hpp"

namespace berth::cli {
namespace {

std::string scalar(const Json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_null()) return "";
    return v.dump();
}

class InfoText {
  public:
    explicit InfoText(const Json& info) : info_(info) {}

    // " Label: value" when the daemon reported `key`.
    void field(std::string_view label, const char* key, int indent = 1) {
        if (auto it = info_.find(key); it != info_.end()) line(label, scalar(*it), indent);
    }
    void line(std::string_view label, const std::string& value, int indent = 1) {
        out_ += std::string(indent, ' ') + std::string(label) + ": " + value + "\n";
    }
    // A list under a heading, one item a line (Insecure Registries, Labels).
    void list(std::string_view label, const char* key) {
        auto it = info_.find(key);
        if (it == info_.end()) return;
        out_ += " " + std::string(label) + ":\n";
        if (it->is_array())
            for (const auto& v : *it) out_ += "  " + scalar(v) + "\n";
    }
    void text(const std::string& s) { out_ += s; }
    const Json& json() const { return info_; }
    std::string take() { return std::move(out_); }

  private:
    const Json& info_;
    std::string out_;
};

void storage_and_plugins(InfoText& t) {
    const Json& info = t.json();
    t.field("Storage Driver", "Driver");
    if (auto ds = info.find("DriverStatus"); ds != info.end() && ds->is_array())
        for (const auto& pair : *ds)
            if (pair.is_array() && pair.size() == 2) t.line(scalar(pair[0]), scalar(pair[1]), 2);
    t.field("Logging Driver", "LoggingDriver");
    t.field("Cgroup Driver", "CgroupDriver");
    t.field("Cgroup Version", "CgroupVersion");
    if (auto plugins = info.find("Plugins"); plugins != info.end() && plugins->is_object()) {
        t.text(" Plugins:\n");
        for (auto [label, key] : {std::pair{"Volume", "Volume"}, {"Network", "Network"}, {"Log", "Log"}}) {
            std::string names;
            for (const auto& n : plugins->value(key, Json::array())) names += (names.empty() ? "" : " ") + scalar(n);
            t.line(label, names, 2);
        }
    }
    if (auto rt = info.find("Runtimes"); rt != info.end() && rt->is_object()) {
        std::string names;
        for (const auto& [name, _] : rt->items()) names += (names.empty() ? "" : " ") + name;
        t.line("Runtimes", names);
    }
    t.field("Default Runtime", "DefaultRuntime");
}

void host_fields(InfoText& t) {
    const Json& info = t.json();
    if (auto so = info.find("SecurityOptions"); so != info.end() && so->is_array()) {
        t.text(" Security Options:\n");
        for (const auto& opt : *so) t.text("  " + scalar(opt) + "\n");
    }
    t.field("Kernel Version", "KernelVersion");
    t.field("Operating System", "OperatingSystem");
    t.field("OSType", "OSType");
    t.field("Architecture", "Architecture");
    t.field("CPUs", "NCPU");
    if (auto mem = info.find("MemTotal"); mem != info.end() && mem->is_number())
        t.line("Total Memory", bytes_size(mem->get<double>()));
    t.field("Name", "Name");
    t.field("ID", "ID");
    t.field("Docker Root Dir", "DockerRootDir");
    t.field("Debug Mode", "Debug");
    t.list("Labels", "Labels");
    t.field("Experimental", "ExperimentalBuild");
    if (auto ir = info.find("RegistryConfig"); ir != info.end() && ir->is_object()) {
        t.text(" Insecure Registries:\n");
        for (const auto& cidr : ir->value("InsecureRegistryCIDRs", Json::array())) t.text("  " + scalar(cidr) + "\n");
    }
    t.field("Live Restore Enabled", "LiveRestoreEnabled");
}

std::string info_text(const Json& info, bool debug) {
    InfoText t(info);
    t.text("Client:\n");
    t.line("Debug Mode", debug ? "true" : "false");
    t.text("\nServer:\n");
    t.field("Containers", "Containers");
    t.field("Running", "ContainersRunning", 2);
    t.field("Paused", "ContainersPaused", 2);
    t.field("Stopped", "ContainersStopped", 2);
    t.field("Images", "Images");
    t.field("Server Version", "ServerVersion");
    storage_and_plugins(t);
    host_fields(t);
    return t.take();
}

Result<void> run_info(Session& session, const ParsedFlags& flags) {
    ApiClient* api = BERTH_TRY(session.api());
    Json info = BERTH_TRY(api->get_json("/info"));
    if (!flags.has("format")) return session.out(info_text(info, false) + "\n");
    info["ClientInfo"] = {{"Debug", false}, {"Context", "default"}};
    return print_formatted(session, flags.value("format"), info);
}

}  // namespace

Command info_command() {
    return {
        .path = "system info",
        .aliases = {"info"},
        .usage = "[OPTIONS]",
        .description = "Display system-wide information",
        .flags = {format_flag("Format the output using the given Go template", 'f')},
        .max_args = 0,
        .run = run_info,
    };
}

}  // namespace berth::cli
