// POST /commit: a container's changes become a new image (ContainerFs::commit).
#include <fcntl.h>
#include <unistd.h>

#include "base/file.hpp"
#include "base/scope_exit.hpp"
#include "base/strings.hpp"
#include "base/text.hpp"
#include "base/time.hpp"
#include "base/unique_fd.hpp"
#include "engine/container_fs.hpp"
#include "engine/daemon.hpp"
#include "image/config_changes.hpp"
#include "image/layer_diff.hpp"
#include "image/media_types.hpp"

namespace berth::engine {

namespace {

std::string env_key(const std::string& kv) { return kv.substr(0, kv.find('=')); }

// Adds `extra` over `env`: a variable set in both takes extra's value.
void merge_env(std::vector<std::string>& env, const std::vector<std::string>& extra) {
    for (const auto& kv : extra) {
        auto it = std::find_if(env.begin(), env.end(), [&](const auto& e) { return env_key(e) == env_key(kv); });
        if (it != env.end()) *it = kv;
        else env.push_back(kv);
    }
}

void add_keys(std::set<std::string>& to, const Json& j, const char* key) {
    if (auto it = j.find(key); it != j.end() && it->is_object())
        for (const auto& [k, v] : it->items()) to.insert(k);
}

// The container's configuration as an image config: the image's, with what the
// container was created with laid over it.
image::ContainerConfig container_config(const Container& c, const image::ContainerConfig& from_image) {
    const auto& s = c.settings;
    image::ContainerConfig cc = from_image;
    cc.hostname = s.hostname;
    cc.domainname = s.domainname;
    cc.user = s.user;
    cc.attach_stdin = s.attach_stdin;
    cc.attach_stdout = s.attach_stdout;
    cc.attach_stderr = s.attach_stderr;
    cc.tty = s.tty;
    cc.open_stdin = s.open_stdin;
    cc.stdin_once = s.stdin_once;
    cc.env = s.env;
    cc.cmd = s.cmd;
    cc.entrypoint = s.entrypoint.empty() ? std::nullopt : std::optional(s.entrypoint);
    cc.working_dir = s.working_dir;
    cc.labels = s.labels;
    if (!s.stop_signal.empty()) cc.stop_signal = s.stop_signal;
    if (s.stop_timeout) cc.stop_timeout = s.stop_timeout;
    if (s.config.is_object()) {
        add_keys(cc.exposed_ports, s.config, "ExposedPorts");
        add_keys(cc.volumes, s.config, "Volumes");
    }
    cc.image = s.image;
    return cc;
}

std::vector<std::string> strings_of(const Json& j) {
    std::vector<std::string> out;
    if (j.is_string()) out.push_back(j.get<std::string>());
    else if (j.is_array())
        for (const auto& v : j) out.push_back(v.get<std::string>());
    return out;
}

// POST /commit's body over the container's config, as docker's merge(): fields the
// body sets win, Env, Labels, ExposedPorts and Volumes add up.
Result<void> merge_commit_config(image::ContainerConfig& cc, const Json& body) {
    if (body.is_null()) return {};
    if (!body.is_object()) return fail_as(ErrorKind::invalid_argument, "commit config must be a JSON object");
    try {
        auto str = [&](const char* key, std::string& to) {
            if (auto it = body.find(key); it != body.end() && it->is_string() && !it->get<std::string>().empty())
                to = it->get<std::string>();
        };
        str("User", cc.user);
        str("WorkingDir", cc.working_dir);
        str("StopSignal", cc.stop_signal);
        str("Hostname", cc.hostname);
        str("Domainname", cc.domainname);
        if (auto it = body.find("Cmd"); it != body.end() && !strings_of(*it).empty()) cc.cmd = strings_of(*it);
        if (auto it = body.find("Entrypoint"); it != body.end() && !strings_of(*it).empty())
            cc.entrypoint = strings_of(*it);
        if (auto it = body.find("Env"); it != body.end()) merge_env(cc.env, strings_of(*it));
        if (auto it = body.find("Labels"); it != body.end() && it->is_object())
            for (const auto& [k, v] : it->items()) cc.labels[k] = v.get<std::string>();
        add_keys(cc.exposed_ports, body, "ExposedPorts");
        add_keys(cc.volumes, body, "Volumes");
        if (auto it = body.find("OnBuild"); it != body.end() && !strings_of(*it).empty()) cc.on_build = strings_of(*it);
    } catch (const Json::exception& e) {
        return fail_as(ErrorKind::invalid_argument, cat("commit config: ", e.what()));
    }
    return {};
}

// The upper directory as a layer tar, into an unnamed temporary file beside the
// image store (it is staged from there).
Result<std::pair<UniqueFd, image::Digest>> write_diff(Daemon& d, const std::string& upper) {
    UniqueFd tmp(::open(d.images().root().c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    if (!tmp) return sys_fail("make a temporary file in " + d.images().root());
    auto upper_fd = BERTH_TRY(open_fd(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    FdWriter out(tmp.get());
    auto diff_id = BERTH_TRY(image::write_layer_diff(upper_fd.get(), out));
    if (::lseek(tmp.get(), 0, SEEK_SET) != 0) return sys_fail("rewind the layer diff");
    return std::pair{std::move(tmp), diff_id};
}

}  // namespace

Result<std::string> ContainerFs::commit(const std::string& ref, const CommitRequest& req) {
    auto& svc = d_.containers();
    auto c = BERTH_TRY(svc.get(ref));
    std::vector<image::Reference> tags;
    if (!req.repo.empty()) {
        auto r = image::parse_reference(req.tag.empty() ? req.repo : req.repo + ":" + req.tag);
        if (!r) return fail_as(ErrorKind::invalid_argument, r.error().message);
        if (r->digest) return fail_as(ErrorKind::invalid_argument, "cannot commit to a digest reference");
        tags.push_back(std::move(*r));
    } else if (!req.tag.empty()) {
        return fail_as(ErrorKind::invalid_argument, "tag is not allowed without a repository");
    }

    auto cfg = BERTH_TRY(d_.images().config(c.image_id));
    auto own = container_config(c, cfg.config);
    cfg.config = own;
    BERTH_TRYV(merge_commit_config(cfg.config, req.config));
    BERTH_TRYV(image::apply_changes(cfg.config, req.changes));

    // The diff is read with the container paused (docker commit's default), so
    // no write lands half in it.
    bool paused_here = false;
    if (req.pause && c.state.status == ContainerStatus::running) {
        BERTH_TRYV(svc.pause(c.id));
        paused_here = true;
    }
    ScopeExit unpause([&] {
        if (paused_here) (void)svc.unpause(c.id);
    });
    std::optional<std::pair<UniqueFd, image::Digest>> diff;
    BERTH_TRYV(svc.with_op_held(c.id, [&](const Container& now) -> Result<void> {
        c = now;
        diff = BERTH_TRY(write_diff(d_, svc.paths(c.id).upper_dir()));
        return {};
    }));
    if (paused_here) {
        paused_here = false;
        BERTH_TRYV(svc.unpause(c.id));
    }

    cfg.created = rfc3339_now();
    cfg.author = req.author;
    // The image's own comment (inspect's Comment), besides the history entry's.
    if (!req.comment.empty()) cfg.document["comment"] = req.comment;
    cfg.container = c.id;
    cfg.container_config = own;
    // An empty diff adds no layer, only a history entry saying so (as docker).
    bool empty = diff->second == image::sha256_of(std::string(1024, '\0'));
    std::string created_by = join(c.settings.cmd, " ");  // docker: the container's Cmd
    cfg.history.push_back({cfg.created, created_by, req.author, req.comment, empty});
    std::vector<image::StagedLayer> staged;
    std::optional<image::StagedLayer> layer;
    ScopeExit release([&] {
        if (layer) d_.images().release_staged(*layer);
    });
    if (!empty) {
        FdReader in(diff->first.get());
        layer = BERTH_TRY(with_context(d_.images().stage_layer(in), "store the container's layer"));
        layer->media_type = std::string(image::media_type::kDockerLayer);
        cfg.rootfs.diff_ids.push_back(layer->diff_id);
        staged.push_back(*layer);
        layer->dir.clear();  // commit_image owns it now
    }
    cfg.raw = image::to_json(cfg);
    auto id = BERTH_TRY(d_.images().commit_image(cfg, std::move(staged), tags));

    std::string image_ref = tags.empty() ? "" : image::with_default_tag(tags.front()).familiar();
    if (!image_ref.empty()) {
        Event e;
        e.type = "image";
        e.action = "tag";
        e.actor_id = id;
        e.attributes["name"] = image_ref;
        d_.events().publish(std::move(e));
    }
    svc.publish(c, "commit", {{"comment", req.comment}, {"imageID", id}, {"imageRef", image_ref}});
    return id;
}

}  // namespace berth::engine
