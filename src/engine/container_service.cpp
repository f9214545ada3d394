// The container table: lookups, names, persistence, events, create and rename.
#include "engine/container_service.hpp"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>

#include "base/file.hpp"
#include "base/log.hpp"
#include "base/scope_exit.hpp"
#include "base/text.hpp"
#include "base/time.hpp"
#include "engine/container_entry.hpp"
#include "engine/container_names.hpp"
#include "engine/daemon.hpp"
#include "image/layer_path.hpp"

namespace berth::engine {

ContainerService::ContainerService(Daemon& d) : d_(d) {}

ContainerService::~ContainerService() { shutdown(); }

std::string ContainerService::runtime_root() const { return d_.config().exec_root + "/runtime"; }

ContainerPaths ContainerService::paths(const std::string& id) const {
    return {d_.config().data_root + "/containers/" + id, d_.config().exec_root + "/containers/" + id};
}

Result<std::string> ContainerService::resolve_locked(const std::string& ref) const {
    if (ref.empty()) return fail_as(ErrorKind::not_found, "No such container: ");
    if (entries_.contains(ref)) return ref;
    std::string_view name = ref;
    if (name.starts_with('/')) name.remove_prefix(1);
    if (auto n = names_.find(std::string(name)); n != names_.end()) return n->second;
    std::string found;
    for (auto it = entries_.lower_bound(ref); it != entries_.end() && it->first.starts_with(ref); ++it) {
        if (!found.empty())
            return fail_as(ErrorKind::invalid_argument, "Multiple IDs found with provided prefix: " + ref);
        found = it->first;
    }
    if (found.empty()) return fail_as(ErrorKind::not_found, "No such container: " + ref);
    return found;
}

Result<std::string> ContainerService::resolve(const std::string& ref) const {
    std::lock_guard lock(mu_);
    return resolve_locked(ref);
}

Result<std::shared_ptr<ContainerService::Entry>> ContainerService::entry(const std::string& ref) const {
    std::lock_guard lock(mu_);
    auto id = BERTH_TRY(resolve_locked(ref));
    return entries_.at(id);
}

Result<Container> ContainerService::get(const std::string& ref) const {
    std::lock_guard lock(mu_);
    auto id = BERTH_TRY(resolve_locked(ref));
    return entries_.at(id)->c;
}

std::vector<Container> ContainerService::list() const {
    std::lock_guard lock(mu_);
    std::vector<Container> out;
    out.reserve(entries_.size());
    for (const auto& [id, e] : entries_)
        if (!e->removed) out.push_back(e->c);
    return out;
}

Result<void> ContainerService::persist_locked(const Container& c) {
    // Not fsync'ed: a record a crash loses is rebuilt from what runs at the next
    // start (a running container's monitor, an exited one's exit record); the
    // rename alone keeps readers from seeing half a file.
    return write_file_atomic(paths(c.id).config_file(), c.to_disk().dump(), 0600, Durability::until_reboot);
}

void ContainerService::publish(const Container& c, const std::string& action,
                               std::map<std::string, std::string> extra) {
    Event e;
    e.type = "container";
    e.action = action;
    e.actor_id = c.id;
    e.attributes = c.settings.labels;
    e.attributes["image"] = c.settings.image;
    e.attributes["name"] = c.name;
    for (auto& [k, v] : extra) e.attributes[k] = std::move(v);
    d_.events().publish(std::move(e));
}

std::optional<image::ImageUse> ContainerService::image_use(const std::string& image_id) const {
    std::lock_guard lock(mu_);
    std::optional<image::ImageUse> use;
    for (const auto& [id, e] : entries_) {
        if (e->c.image_id != image_id) continue;
        // A running user wins: rmi -f still refuses an image a running container uses.
        if (!use || e->c.state.running()) use = image::ImageUse{id, e->c.state.running()};
        if (use->running) break;
    }
    return use;
}

int ContainerService::count_using(const std::string& image_id) const {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& [id, e] : entries_) n += e->c.image_id == image_id;
    return n;
}

namespace {

// The container's /etc/hosts until networking gives it addresses.
std::string hosts_file(const std::string& hostname) {
    return cat("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n",
               "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\n",
               "ff02::2\tip6-allrouters\n127.0.1.1\t", hostname, "\n");
}

// The host's resolv.conf as the container's: it shares the host's resolvers.
std::string resolv_conf() {
    auto text = read_file("/etc/resolv.conf");
    return text ? *text : std::string("nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
}

Result<void> make_container_files(const ContainerPaths& p, const std::string& hostname) {
    // The upper dir's mode becomes the container's "/": 0755 as in any image, so
    // users other than root can walk it.
    BERTH_TRYV(mkdir_p(p.upper_dir(), 0755));
    if (::chmod(p.upper_dir().c_str(), 0755) != 0) return sys_fail("chmod " + p.upper_dir());
    for (const auto& dir : {p.work_dir(), p.rootfs()}) BERTH_TRYV(mkdir_p(dir, 0700));
    BERTH_TRYV(write_file_atomic(p.hostname_file(), hostname + "\n", 0644, Durability::until_reboot));
    BERTH_TRYV(write_file_atomic(p.hosts_file(), hosts_file(hostname), 0644, Durability::until_reboot));
    BERTH_TRYV(write_file_atomic(p.resolv_conf_file(), resolv_conf(), 0644, Durability::until_reboot));
    return {};
}

}  // namespace

Result<void> remove_container_dir(const std::string& dir) {
    auto slash = dir.rfind('/');
    auto parent = BERTH_TRY(open_fd(dir.substr(0, slash), O_PATH | O_DIRECTORY | O_CLOEXEC));
    return image::remove_all_at(parent.get(), dir.substr(slash + 1));
}

Result<CreateResult> ContainerService::create(const Json& body, const std::string& name) {
    auto settings = BERTH_TRY(parse_create_request(body));
    if (settings.image.empty())
        return fail_as(ErrorKind::invalid_argument, "No image was specified, use a reference such as busybox");
    auto image_id = BERTH_TRY(d_.images().resolve(settings.image));
    auto image_cfg = BERTH_TRY(d_.images().config(image_id));
    merge_image_config(settings, image_cfg.config);

    Container c;
    c.settings = std::move(settings);
    c.image_id = image_id;
    std::vector<std::string> argv = c.settings.entrypoint;
    argv.insert(argv.end(), c.settings.cmd.begin(), c.settings.cmd.end());
    if (argv.empty()) return fail_as(ErrorKind::invalid_argument, "No command specified");
    c.path = argv.front();
    c.args.assign(argv.begin() + 1, argv.end());

    std::string wanted;
    if (!name.empty()) wanted = BERTH_TRY(validate_container_name(name));
    {
        std::lock_guard lock(mu_);
        do c.id = new_container_id();
        while (entries_.contains(c.id));
        if (!wanted.empty()) {
            if (auto n = names_.find(wanted); n != names_.end())
                return fail_as(ErrorKind::conflict,
                               cat("Conflict. The container name \"/", wanted, "\" is already in use by container \"",
                                   n->second, "\". You have to remove (or rename) that container to be able to reuse that name."));
            c.name = wanted;
        } else {
            c.name = generate_container_name([&](const std::string& n) { return names_.contains(n); });
        }
        // The name is reserved before the slow part, so a concurrent create can't take it.
        names_[c.name] = c.id;
    }
    auto release_name = ScopeExit([&] {
        std::lock_guard lock(mu_);
        names_.erase(c.name);
    });
    if (c.settings.hostname.empty()) {
        c.settings.hostname = c.id.substr(0, 12);
        c.settings.config["Hostname"] = c.settings.hostname;
    }
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    c.created_ns = now.tv_sec * 1'000'000'000LL + now.tv_nsec;
    c.created = rfc3339(now.tv_sec, now.tv_nsec);

    auto warnings = BERTH_TRY(init_networks(c));
    auto p = paths(c.id);
    auto remove_dir = ScopeExit([&] { (void)remove_container_dir(p.dir); });
    BERTH_TRYV_CTX(mkdir_p(p.dir, 0710), "creating the container's directory");
    BERTH_TRYV_CTX(make_container_files(p, c.settings.hostname), "preparing the container's files");

    std::lock_guard lock(mu_);
    BERTH_TRYV_CTX(persist_locked(c), "recording the container");
    auto e = std::make_shared<Entry>();
    e->c = c;
    entries_[c.id] = e;
    release_name.dismiss();
    remove_dir.dismiss();
    publish(c, "create");
    return CreateResult{c.id, warnings};
}

Result<void> ContainerService::rename(const std::string& ref, const std::string& new_name) {
    auto wanted = BERTH_TRY(validate_container_name(new_name));
    std::lock_guard lock(mu_);
    auto id = BERTH_TRY(resolve_locked(ref));
    auto& c = entries_.at(id)->c;
    if (c.name == wanted)
        return fail_as(ErrorKind::conflict, cat("Renaming a container with the same name as its current name"));
    if (auto n = names_.find(wanted); n != names_.end())
        return fail_as(ErrorKind::conflict, cat("Conflict. The container name \"/", wanted,
                                                "\" is already in use by container \"", n->second,
                                                "\". You have to remove (or rename) that container to be able to reuse that name."));
    std::string old = c.name;
    names_.erase(old);
    names_[wanted] = id;
    c.name = wanted;
    if (auto r = persist_locked(c); !r) {
        names_.erase(wanted);
        names_[old] = id;
        c.name = old;
        return std::unexpected(r.error());
    }
    d_.networks().rename(id, wanted);  // DNS answers follow at once
    publish(c, "rename", {{"oldName", "/" + old}});
    return {};
}

std::int64_t ContainerService::size_rw(const std::string& id) const {
    return directory_size(paths(id).upper_dir());
}

void ContainerService::record_health(const std::string& id, const HealthLogEntry& entry, int retries,
                                     bool in_start_period) {
    std::lock_guard lock(mu_);
    auto it = entries_.find(id);
    if (it == entries_.end() || it->second->c.state.status != ContainerStatus::running) return;
    auto& c = it->second->c;
    auto& h = c.state.health;
    h.log.push_back(entry);
    // Docker keeps the last five probes.
    if (h.log.size() > 5) h.log.erase(h.log.begin(), h.log.end() - 5);
    std::string before = h.status;
    if (entry.exit_code == 0) {
        h.failing_streak = 0;
        h.status = "healthy";
    } else if (!in_start_period) {
        // Failures while the container starts up don't count against it.
        if (++h.failing_streak >= retries) h.status = "unhealthy";
    }
    (void)persist_locked(c);
    if (h.status != before) publish(c, "health_status: " + h.status);
}

}  // namespace berth::engine
