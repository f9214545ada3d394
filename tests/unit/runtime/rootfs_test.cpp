// prepare_rootfs / enter_rootfs for real: each scenario runs in a forked child that
// first enters a private mount namespace, so every mount dies with it. The child
// reports each failed check as a line on a pipe; the parent turns them into test
// failures, then checks that the host's mount table did not change and removes
// the temporary tree.
#include "runtime/rootfs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "runtime/rootfs_steps.hpp"

namespace berth::runtime {
namespace {

namespace fs = std::filesystem;

constexpr const char* kMarker = "berth-rootfs-test-marker";

// Inside the child: failed checks go to the parent as lines.
class Checker {
  public:
    explicit Checker(int fd) : fd_(fd) {}
    bool check(bool ok, const std::string& what) {
        if (!ok) {
            ++failures_;
            std::string line = what + "\n";
            (void)write_all(fd_, line);
        }
        return ok;
    }
    template <typename T>
    bool ok(const Result<T>& r, const std::string& what) {
        return check(r.has_value(), what + ": " + (r ? std::string() : r.error().message));
    }
    int failures() const { return failures_; }

  private:
    int fd_;
    int failures_ = 0;
};

std::string errno_text(int e) {
    return std::string(" (errno ") + std::strerror(e) + ")";
}

std::vector<std::string> mountinfo_lines() {
    auto text = read_file("/proc/self/mountinfo");
    if (!text) return {};
    std::vector<std::string> out;
    for (auto& l : split(*text, '\n'))
        if (!l.empty()) out.push_back(l);
    return out;
}

// Field 5 of a mountinfo line: the mount point (octal escapes left as they are).
std::string mount_point(const std::string& line) {
    std::istringstream in(line);
    std::string f;
    for (int i = 0; i < 5; ++i) in >> f;
    return f;
}

bool is_mount_point(const std::string& path) {
    for (const auto& l : mountinfo_lines())
        if (mount_point(l) == path) return true;
    return false;
}

std::string mountinfo_line_of(const std::string& path) {
    std::string found;
    for (const auto& l : mountinfo_lines())
        if (mount_point(l) == path) found = l;  // the last one is on top
    return found;
}

bool exists(const std::string& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0;
}

long fs_type(const std::string& p) {
    struct statfs sf {};
    if (::statfs(p.c_str(), &sf) != 0) return -1;
    return static_cast<long>(sf.f_type);
}

bool read_only(const std::string& p) {
    struct statvfs sv {};
    return ::statvfs(p.c_str(), &sv) == 0 && (sv.f_flag & ST_RDONLY);
}

int create_errno(const std::string& p) {
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
        ::close(fd);
        ::unlink(p.c_str());
        return 0;
    }
    return errno;
}

std::string content(const std::string& p) {
    auto r = read_file(p);
    return r ? *r : "<unreadable: " + r.error().message + ">";
}

oci::Mount mnt(std::string dest, std::string type, std::string src, std::vector<std::string> opts) {
    oci::Mount m;
    m.destination = std::move(dest);
    m.type = std::move(type);
    m.source = std::move(src);
    m.options = std::move(opts);
    return m;
}

class Rootfs : public ::testing::Test {
  protected:
    void SetUp() override {
        host_mounts_ = mountinfo_lines();
        char tmpl[] = "/tmp/berth-rootfs-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        base_ = tmpl;
        rootfs_ = base_ + "/rootfs";
        vol_ = base_ + "/hostvol";
        for (auto d : {"etc", "proc", "sys", "masked-dir", "ro-dir", "tmpcopy"})
            fs::create_directories(rootfs_ + "/" + d);
        fs::create_directories(vol_);
        write(rootfs_ + "/rootfs-marker", "root");
        write(rootfs_ + "/etc/hostname", "image");
        write(rootfs_ + "/masked-dir/secret", "secret");
        write(rootfs_ + "/masked-file", "secret");
        write(rootfs_ + "/ro-dir/file", "x");
        write(rootfs_ + "/tmpcopy/keep", "kept");
        write(vol_ + "/" + kMarker, "vol");
        write(base_ + "/hostfile", "host file");
        fs::create_symlink("/", rootfs_ + "/slash");
        fs::create_symlink("../../../etc", rootfs_ + "/escape");
    }

    void TearDown() override {
        std::error_code ec;
        fs::remove_all(base_, ec);
        EXPECT_FALSE(ec) << "remove " << base_ << ": " << ec.message();
        EXPECT_FALSE(fs::exists(base_)) << base_ << " left behind";
        // The host's table: no mount of ours, and nothing new at the places the
        // symlink tricks aimed at. (Other tests may mount elsewhere meanwhile.)
        std::set<std::string> before(host_mounts_.begin(), host_mounts_.end());
        for (const auto& l : mountinfo_lines()) {
            if (before.count(l)) continue;
            std::string mp = mount_point(l);
            bool ours = l.find(base_) != std::string::npos;
            bool aimed = mp == "/" || mp == "/etc" || mp == "/vol" || mp == "/proc" ||
                         mp == "/sys" || mp == "/dev" || mp.starts_with("/dev/");
            EXPECT_FALSE(ours || aimed) << "host mount table changed: " << l;
        }
        EXPECT_FALSE(exists(std::string("/etc/") + kMarker)) << "bind landed on the host /etc";
        EXPECT_FALSE(exists("/vol")) << "bind landed on the host /vol";
    }

    static void write(const std::string& p, const std::string& data) { std::ofstream(p) << data; }

    // Runs `body` in a child in its own mount namespace, reports its complaints.
    void in_child(const std::function<void(Checker&)>& body) {
        int p[2];
        ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
        pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            ::close(p[0]);
            ::alarm(60);  // a hang becomes a failure, not a stuck test run
            Checker c(p[1]);
            // Never touch a mount before we are sure to be in our own namespace.
            if (!c.check(::unshare(CLONE_NEWNS) == 0, "unshare(CLONE_NEWNS)" + errno_text(errno)))
                ::_exit(2);
            if (!c.check(::mount("", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0,
                         "make / rprivate" + errno_text(errno)))
                ::_exit(2);
            body(c);
            ::_exit(c.failures() ? 1 : 0);
        }
        ::close(p[1]);
        auto report = read_fd(p[0]);
        ::close(p[0]);
        int status = 0;
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
        if (report) {
            for (const auto& line : split(*report, '\n')) {
                if (!line.empty()) ADD_FAILURE() << line;
            }
        }
        EXPECT_TRUE(WIFEXITED(status)) << "child died, status " << status;
        if (WIFEXITED(status)) {
            EXPECT_EQ(WEXITSTATUS(status), 0) << "child reported failures (see above)";
        }
    }

    std::vector<std::string> host_mounts_;
    std::string base_, rootfs_, vol_;
};

// The standard container mounts plus the binds that try to escape.
oci::Config full_config(const std::string& vol, const std::string& hostfile) {
    oci::Config c;
    c.root.readonly = true;
    c.mounts = {
        mnt("/proc", "proc", "proc", {}),
        mnt("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
        mnt("/dev/pts", "devpts", "devpts",
            {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
        mnt("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
        mnt("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
        mnt("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
        mnt("/data", "bind", vol, {"rbind", "ro"}),
        mnt("/slash/vol", "", vol, {"bind"}),
        mnt("/escape", "none", vol, {"rbind", "nosuid"}),
        mnt("/hostfile.txt", "bind", hostfile, {"bind", "ro"}),
        mnt("/tmpcopy", "tmpfs", "tmpfs", {"tmpcopyup", "mode=755"}),
    };
    oci::Linux lx;
    lx.masked_paths = {"/masked-dir", "/masked-file", "/does-not-exist"};
    lx.readonly_paths = {"/ro-dir", "/also-missing"};
    oci::Device fuse;
    fuse.type = 'c';
    fuse.path = "/dev/fuse";
    fuse.major = 10;
    fuse.minor = 229;
    fuse.file_mode = 0600;
    oci::Device fifo;
    fifo.type = 'p';
    fifo.path = "/dev/sub/fifo";
    lx.devices = {fuse, fifo};
    c.linux_ = lx;
    return c;
}

void check_prepared(Checker& c, const std::string& r, const std::string& vol) {
    const std::string marker = std::string("/") + kMarker;
    c.check(fs_type(r + "/proc") == PROC_SUPER_MAGIC, "proc is not mounted at " + r + "/proc");
    c.check(fs_type(r + "/dev") == TMPFS_MAGIC, "/dev is not a tmpfs");
    c.check(fs_type(r + "/dev/pts") == DEVPTS_SUPER_MAGIC, "/dev/pts is not devpts");
    c.check(fs_type(r + "/dev/shm") == TMPFS_MAGIC, "/dev/shm is not a tmpfs");
    c.check(fs_type(r + "/dev/mqueue") == 0x19800202 /* MQUEUE_MAGIC */, "/dev/mqueue not mqueue");
    c.check(fs_type(r + "/sys") == SYSFS_MAGIC, "/sys is not sysfs");
    c.check(read_only(r + "/sys"), "/sys is not read-only");
    // Binds: the ro one, and the two aimed through symlinks.
    c.check(content(r + "/data" + marker) == "vol", "bind /data does not show the volume");
    c.check(create_errno(r + "/data/new") == EROFS, "bind /data (ro) is writable");
    c.check(content(r + "/vol" + marker) == "vol",
            "bind via /slash -> / did not land on <root>/vol");
    c.check(content(r + "/etc" + marker) == "vol",
            "bind via /escape -> ../../../etc did not land on <root>/etc");
    c.check(is_mount_point(r + "/etc") && is_mount_point(r + "/vol"),
            "<root>/etc or <root>/vol is not a mount point");
    c.check(!exists(std::string("/etc") + marker), "bind landed on the host /etc");
    c.check(content(vol + marker) == "vol", "the volume itself changed");
    struct statvfs sv {};
    c.check(::statvfs((r + "/etc").c_str(), &sv) == 0 && (sv.f_flag & ST_NOSUID),
            "nosuid of the /escape bind not applied");
    c.check(content(r + "/hostfile.txt") == "host file", "file bind did not land");
    c.check(read_only(r + "/hostfile.txt"), "file bind is not read-only");
    c.check(fs_type(r + "/tmpcopy") == TMPFS_MAGIC && content(r + "/tmpcopy/keep") == "kept",
            "tmpcopyup did not copy the covered directory into the tmpfs");
    // Devices and links.
    struct stat st {};
    c.check(::stat((r + "/dev/null").c_str(), &st) == 0 && S_ISCHR(st.st_mode) &&
                st.st_rdev == makedev(1, 3) && (st.st_mode & 07777) == 0666,
            "/dev/null is not char 1:3 mode 0666");
    for (auto d : {"zero", "full", "random", "urandom", "tty"})
        c.check(::stat((r + "/dev/" + d).c_str(), &st) == 0 && S_ISCHR(st.st_mode),
                std::string("/dev/") + d + " missing");
    c.check(::stat((r + "/dev/fuse").c_str(), &st) == 0 && S_ISCHR(st.st_mode) &&
                st.st_rdev == makedev(10, 229) && (st.st_mode & 07777) == 0600,
            "linux.devices /dev/fuse is not char 10:229 mode 0600");
    c.check(::lstat((r + "/dev/sub/fifo").c_str(), &st) == 0 && S_ISFIFO(st.st_mode),
            "linux.devices fifo /dev/sub/fifo missing");
    std::error_code ec;
    c.check(fs::read_symlink(r + "/dev/ptmx", ec) == "pts/ptmx", "/dev/ptmx is not -> pts/ptmx");
    c.check(fs::read_symlink(r + "/dev/fd", ec) == "/proc/self/fd", "/dev/fd link missing");
    c.check(fs::read_symlink(r + "/dev/stderr", ec) == "/proc/self/fd/2", "/dev/stderr link");
    c.check(exists(r + "/dev/pts/ptmx"), "the devpts instance has no ptmx");
}

void check_entered(Checker& c, bool root_readonly) {
    const std::string marker = std::string("/") + kMarker;
    c.check(content("/rootfs-marker") == "root", "\"/\" is not the rootfs");
    c.check(!exists("/work") && !exists("/usr"), "host directories visible after entering");
    c.check(content("/data" + marker) == "vol", "/data lost after entering");
    DIR* d = ::opendir("/masked-dir");
    int entries = 0;
    if (d) {
        while (auto* e = ::readdir(d))
            if (std::string(e->d_name) != "." && std::string(e->d_name) != "..") ++entries;
        ::closedir(d);
    }
    c.check(d && entries == 0, "masked directory is not empty");
    c.check(content("/masked-file").empty(),
            "masked file still readable: " + content("/masked-file"));
    c.check(create_errno("/masked-dir/x") == EROFS, "masked directory is writable");
    c.check(content("/ro-dir/file") == "x", "read-only path unreadable");
    int fd = ::open("/ro-dir/file", O_WRONLY | O_CLOEXEC);
    int err = errno;
    if (fd >= 0) ::close(fd);
    c.check(fd < 0 && err == EROFS, "write to read-only path did not fail with EROFS");
    if (root_readonly)
        c.check(create_errno("/newfile") == EROFS, "root.readonly: / is writable");
    else
        c.check(create_errno("/newfile") == 0, "/ should be writable");
    c.check(create_errno("/dev/shm/x") == 0, "/dev/shm should stay writable");
    // Only the container's mounts are visible: the old root is gone.
    std::set<std::string> expected = {"/",           "/proc",        "/dev",          "/dev/pts",
                                      "/dev/shm",    "/dev/mqueue",  "/sys",          "/data",
                                      "/vol",        "/etc",         "/hostfile.txt", "/tmpcopy",
                                      "/masked-dir", "/masked-file", "/ro-dir"};
    for (const auto& l : mountinfo_lines()) {
        std::string mp = mount_point(l);
        c.check(expected.count(mp) || mp.starts_with("/sys/") || mp.starts_with("/proc/"),
                "unexpected mount after entering: " + l);
    }
}

TEST_F(Rootfs, PrepareAndPivot) {
    in_child([&](Checker& c) {
        oci::Config cfg = full_config(vol_, base_ + "/hostfile");
        RootfsSpec s{&cfg, rootfs_, false, false};
        if (!c.ok(prepare_rootfs(s), "prepare_rootfs")) return;
        check_prepared(c, rootfs_, vol_);
        if (!c.ok(enter_rootfs(s), "enter_rootfs")) return;
        check_entered(c, true);
    });
}

TEST_F(Rootfs, PrepareAndChrootWithNoPivot) {
    in_child([&](Checker& c) {
        oci::Config cfg = full_config(vol_, base_ + "/hostfile");
        cfg.root.readonly = false;
        RootfsSpec s{&cfg, rootfs_, true, false};
        if (!c.ok(prepare_rootfs(s), "prepare_rootfs")) return;
        if (!c.ok(enter_rootfs(s), "enter_rootfs --no-pivot")) return;
        check_entered(c, false);
    });
}

TEST_F(Rootfs, SharedRootPropagationStillPivots) {
    in_child([&](Checker& c) {
        oci::Config cfg;
        cfg.mounts = {mnt("/proc", "proc", "proc", {})};
        cfg.linux_ = oci::Linux{};
        cfg.linux_->rootfs_propagation = "rshared";
        RootfsSpec s{&cfg, rootfs_, false, false};
        if (!c.ok(prepare_rootfs(s), "prepare_rootfs")) return;
        if (!c.ok(enter_rootfs(s), "enter_rootfs")) return;
        c.check(content("/rootfs-marker") == "root", "\"/\" is not the rootfs");
        std::string line = mountinfo_line_of("/");
        c.check(line.find(" shared:") != std::string::npos, "\"/\" is not shared: " + line);
    });
}

TEST_F(Rootfs, DevicesAreBoundInAUserNamespace) {
    in_child([&](Checker& c) {
        oci::Config cfg;
        cfg.mounts = {mnt("/dev", "tmpfs", "tmpfs", {"mode=755"})};
        RootfsSpec s{&cfg, rootfs_, false, true};  // bind instead of mknod
        if (!c.ok(prepare_rootfs(s), "prepare_rootfs")) return;
        c.check(is_mount_point(rootfs_ + "/dev/null"), "/dev/null is not a bind mount");
        struct stat st {};
        c.check(::stat((rootfs_ + "/dev/null").c_str(), &st) == 0 && S_ISCHR(st.st_mode) &&
                    st.st_rdev == makedev(1, 3),
                "/dev/null does not show the host's node");
        std::error_code ec;
        c.check(!fs::is_symlink(rootfs_ + "/dev/ptmx", ec), "ptmx link without a devpts mount");
    });
}

// A real user namespace (uid/gid 0 mapped to 0 only, no network namespace): sysfs
// must fall back to binding the host's /sys, devpts must drop the unmapped gid=5,
// devices are bound, and flags the kernel locked on inherited mounts survive the
// read-only remounts.
bool enter_user_namespace(Checker& c) {
    if (!c.check(::unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0,
                 "unshare(user+mount)" + errno_text(errno)))
        return false;
    bool ok = write_existing("/proc/self/setgroups", "deny").has_value() &&
              write_existing("/proc/self/uid_map", "0 0 1").has_value() &&
              write_existing("/proc/self/gid_map", "0 0 1").has_value();
    return c.check(ok, "write id maps");
}

TEST_F(Rootfs, InARealUserNamespace) {
    in_child([&](Checker& c) {
        if (!enter_user_namespace(c)) return;
        oci::Config cfg;
        cfg.root.readonly = true;
        cfg.mounts = {
            mnt("/dev", "tmpfs", "tmpfs", {"nosuid", "mode=755"}),
            mnt("/dev/pts", "devpts", "devpts", {"newinstance", "ptmxmode=0666", "gid=5"}),
            mnt("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
            mnt("/data", "bind", vol_, {"rbind", "ro"}),
        };
        cfg.linux_ = oci::Linux{};
        cfg.linux_->readonly_paths = {"/ro-dir"};
        RootfsSpec s{&cfg, rootfs_, false, true};
        if (!c.ok(prepare_rootfs(s), "prepare_rootfs in a user namespace")) return;
        c.check(fs_type(rootfs_ + "/sys") == SYSFS_MAGIC && read_only(rootfs_ + "/sys"),
                "/sys is not a read-only sysfs (bind fallback)");
        c.check(is_mount_point(rootfs_ + "/dev/null"), "/dev/null is not bound from the host");
        c.check(fs_type(rootfs_ + "/dev/pts") == DEVPTS_SUPER_MAGIC, "devpts not mounted");
        if (!c.ok(enter_rootfs(s), "enter_rootfs in a user namespace")) return;
        c.check(content("/rootfs-marker") == "root", "\"/\" is not the rootfs");
        c.check(create_errno("/newfile") == EROFS, "root.readonly: / is writable");
        c.check(create_errno("/ro-dir/new") == EROFS, "read-only path is writable");
        c.check(create_errno(std::string("/data/") + kMarker) == EROFS, "ro bind is writable");
    });
}

// Binds into /proc could take over host-wide knobs (core_pattern); they are refused
// even when the destination only reaches /proc through a symlink.
TEST_F(Rootfs, MountsInsideProcAreRefused) {
    fs::create_symlink("/proc/sys/kernel", rootfs_ + "/sneaky");
    struct Case {
        oci::Mount m;
        bool allowed;
    };
    const std::string file = base_ + "/hostfile";
    std::vector<Case> cases = {
        {mnt("/proc/sys/kernel/core_pattern", "bind", file, {"bind"}), false},
        {mnt("/sneaky/core_pattern", "bind", file, {"bind"}), false},
        {mnt("/proc", "tmpfs", "tmpfs", {}), false},
        {mnt("/proc/uptime", "bind", file, {"bind"}), true},
    };
    for (const auto& tc : cases) {
        in_child([&](Checker& c) {
            oci::Config cfg;
            cfg.mounts = {mnt("/proc", "proc", "proc", {}), tc.m};
            RootfsSpec s{&cfg, rootfs_, false, false};
            auto r = prepare_rootfs(s);
            if (tc.allowed) {
                c.ok(r, "mount on " + tc.m.destination + " should be allowed");
                c.check(content(rootfs_ + "/proc/uptime") == "host file", "/proc/uptime not bound");
            } else {
                c.check(!r, "mount on " + tc.m.destination + " was allowed");
                c.check(!r && r.error().message.starts_with("mount 1 ("),
                        "error does not name mount 1: " + (r ? "" : r.error().message));
            }
        });
    }
}

TEST_F(Rootfs, MountErrorNamesTheMount) {
    in_child([&](Checker& c) {
        oci::Config cfg;
        cfg.mounts = {mnt("/proc", "proc", "proc", {}),
                      mnt("/dev/shm", "tmpfs", "shm", {"size=bogus"})};
        RootfsSpec s{&cfg, rootfs_, false, false};
        auto r = prepare_rootfs(s);
        if (!c.check(!r, "prepare_rootfs accepted a bad tmpfs option")) return;
        c.check(r.error().message == "mount 1 (tmpfs on /dev/shm): mount: Invalid argument",
                "error message: " + r.error().message);
        c.check(r.error().sys_errno == EINVAL, "errno not kept");
    });
}

TEST_F(Rootfs, BadPropagationIsRejectedBeforeAnyMount) {
    in_child([&](Checker& c) {
        oci::Config cfg;
        cfg.linux_ = oci::Linux{};
        cfg.linux_->rootfs_propagation = "sideways";
        RootfsSpec s{&cfg, rootfs_, false, false};
        auto r = prepare_rootfs(s);
        c.check(!r && r.error().message.find("sideways") != std::string::npos,
                "bad rootfsPropagation accepted");
        c.check(!is_mount_point(rootfs_), "rootfs was bound despite the error");
    });
}

TEST(Sysctl, RejectsEscapingKeys) {
    for (std::string key :
         {"..", "net/../../etc/passwd", "a..b", "/etc/passwd", ".x", "a//b", ""}) {
        auto r = apply_sysctl({{key, "1"}});
        ASSERT_FALSE(r) << key;
        EXPECT_NE(r.error().message.find("sysctl " + key), std::string::npos) << r.error().message;
    }
}

TEST(Sysctl, ErrorNamesTheKey) {
    auto r = apply_sysctl({{"kernel.no_such_berth_knob", "1"}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message.rfind("sysctl kernel.no_such_berth_knob: ", 0), 0u)
        << r.error().message;
    EXPECT_NE(r.error().message.find("/proc/sys/kernel/no_such_berth_knob"), std::string::npos);
}

TEST(Sysctl, WritesTheValue) {
    // In a fresh UTS namespace the hostname sysctl is ours to change.
    int p[2];
    ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        if (::unshare(CLONE_NEWUTS) != 0) ::_exit(2);
        auto r = apply_sysctl({{"kernel.hostname", "berth-sysctl"}});
        std::string out = r ? content("/proc/sys/kernel/hostname") : r.error().message;
        (void)write_all(p[1], out);
        ::_exit(0);
    }
    ::close(p[1]);
    auto got = read_fd(p[0]);
    ::close(p[0]);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ASSERT_TRUE(got);
    EXPECT_EQ(*got, "berth-sysctl\n");
}

}  // namespace
}  // namespace berth::runtime
