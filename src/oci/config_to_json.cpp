// oci::Config -> config.json with the spec's key names (config.md). Unset optional
// fields are left out, so parse_config(to_json(c)) == c.
#include "oci/config_parse.hpp"
#include "oci/config_parse_internal.hpp"
#include "oci/json_writer.hpp"

namespace berth::oci {

using detail::put_if;
using detail::put_list;
using detail::put_nonempty;

namespace {

Json id_map_to_json(const Mount::IdMap& m) {
    return {{"containerID", m.container_id}, {"hostID", m.host_id}, {"size", m.size}};
}

Json mount_to_json(const Mount& m) {
    Json j = {{"destination", m.destination}};
    put_nonempty(j, "type", m.type);
    put_nonempty(j, "source", m.source);
    put_nonempty(j, "options", m.options);
    put_list(j, "uidMappings", m.uid_mappings, id_map_to_json);
    put_list(j, "gidMappings", m.gid_mappings, id_map_to_json);
    return j;
}

Json hook_to_json(const Hook& h) {
    Json j = {{"path", h.path}};
    put_nonempty(j, "args", h.args);
    put_nonempty(j, "env", h.env);
    put_if(j, "timeout", h.timeout);
    return j;
}

Json hooks_to_json(const Hooks& h) {
    Json j = Json::object();
    put_list(j, "prestart", h.prestart, hook_to_json);
    put_list(j, "createRuntime", h.create_runtime, hook_to_json);
    put_list(j, "createContainer", h.create_container, hook_to_json);
    put_list(j, "startContainer", h.start_container, hook_to_json);
    put_list(j, "poststart", h.poststart, hook_to_json);
    put_list(j, "poststop", h.poststop, hook_to_json);
    return j;
}

Json user_to_json(const User& u) {
    Json j = {{"uid", u.uid}, {"gid", u.gid}};
    put_if(j, "umask", u.umask);
    put_nonempty(j, "additionalGids", u.additional_gids);
    put_nonempty(j, "username", u.username);
    return j;
}

Json capabilities_to_json(const Capabilities& c) {
    Json j = Json::object();
    put_nonempty(j, "bounding", c.bounding);
    put_nonempty(j, "effective", c.effective);
    put_nonempty(j, "inheritable", c.inheritable);
    put_nonempty(j, "permitted", c.permitted);
    put_nonempty(j, "ambient", c.ambient);
    return j;
}

Json rlimit_to_json(const Rlimit& r) {
    return {{"type", r.type}, {"hard", r.hard}, {"soft", r.soft}};
}

Json scheduler_to_json(const Scheduler& s) {
    Json j = {{"policy", s.policy}};
    put_if(j, "nice", s.nice);
    put_if(j, "priority", s.priority);
    put_nonempty(j, "flags", s.flags);
    put_if(j, "runtime", s.runtime);
    put_if(j, "deadline", s.deadline);
    put_if(j, "period", s.period);
    return j;
}

}  // namespace

Json to_json(const Process& p) {
    Json j = {{"terminal", p.terminal}, {"user", user_to_json(p.user)}, {"cwd", p.cwd}};
    if (p.console_size)
        j["consoleSize"] = {{"height", p.console_size->height}, {"width", p.console_size->width}};
    put_nonempty(j, "args", p.args);
    put_nonempty(j, "commandLine", p.command_line);
    put_nonempty(j, "env", p.env);
    if (p.capabilities) j["capabilities"] = capabilities_to_json(*p.capabilities);
    put_list(j, "rlimits", p.rlimits, rlimit_to_json);
    if (p.no_new_privileges) j["noNewPrivileges"] = true;
    put_nonempty(j, "apparmorProfile", p.apparmor_profile);
    put_if(j, "oomScoreAdj", p.oom_score_adj);
    put_nonempty(j, "selinuxLabel", p.selinux_label);
    if (p.io_priority)
        j["ioPriority"] = {{"class", p.io_priority->klass}, {"priority", p.io_priority->priority}};
    if (p.scheduler) j["scheduler"] = scheduler_to_json(*p.scheduler);
    if (p.exec_cpu_affinity) {
        Json a = Json::object();
        put_nonempty(a, "initial", p.exec_cpu_affinity->initial_cpus);
        put_nonempty(a, "final", p.exec_cpu_affinity->final_cpus);
        j["execCPUAffinity"] = std::move(a);
    }
    return j;
}

Json to_json(const Config& c) {
    Json j = {{"ociVersion", c.oci_version},
              {"root", {{"path", c.root.path}, {"readonly", c.root.readonly}}}};
    if (c.process) j["process"] = to_json(*c.process);
    put_nonempty(j, "hostname", c.hostname);
    put_nonempty(j, "domainname", c.domainname);
    put_list(j, "mounts", c.mounts, mount_to_json);
    if (Json h = hooks_to_json(c.hooks); !h.empty()) j["hooks"] = std::move(h);
    put_nonempty(j, "annotations", c.annotations);
    if (c.linux_) j["linux"] = detail::linux_to_json(*c.linux_);
    return j;
}

}  // namespace berth::oci
