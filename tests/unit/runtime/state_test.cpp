#include "runtime/state.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <sstream>
#include <thread>

#include "base/file.hpp"

namespace berth::runtime {
namespace {

// A child that sleeps until killed; killed and reaped on scope exit.
class SleepingChild {
  public:
    explicit SleepingChild(const char* name = nullptr) {
        pid_ = ::fork();
        if (pid_ == 0) {
            if (name) ::prctl(PR_SET_NAME, name);
            ::alarm(30);  // never outlive a crashed test for long
            for (;;) ::pause();
        }
    }
    ~SleepingChild() { reap(); }
    SleepingChild(const SleepingChild&) = delete;
    SleepingChild& operator=(const SleepingChild&) = delete;
    pid_t pid() const { return pid_; }
    void reap() {
        if (pid_ <= 0) return;
        ::kill(pid_, SIGKILL);
        while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
    }

  private:
    pid_t pid_ = -1;
};

char proc_state_letter(pid_t pid) {
    auto text = read_file("/proc/" + std::to_string(pid) + "/stat");
    if (!text) return '?';
    size_t p = text->rfind(')');
    return p == std::string::npos || p + 2 >= text->size() ? '?' : (*text)[p + 2];
}

class StateTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/berth-state-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        tmp_ = tmpl;
        root_ = tmp_ + "/root";  // not there yet: claim_state_dir makes it
    }
    void TearDown() override { std::filesystem::remove_all(tmp_); }

    ContainerState sample(const std::string& id) {
        ContainerState s;
        s.id = id;
        s.bundle = "/bundles/" + id;
        s.rootfs = "/bundles/" + id + "/rootfs";
        s.pid = 4242;
        s.pid_start_time = 123456789012ULL;
        s.created = "2024-05-06T07:08:09.123456789Z";
        s.owner = "root";
        s.annotations = {{"org.example/key", "value with \"quotes\""}, {"b", ""}};
        s.cgroups_path = "/berth-unit/" + id;
        return s;
    }

    void claim_and_save(const ContainerState& s) {
        ASSERT_TRUE(claim_state_dir(root_, s.id));
        auto r = save_state(root_, s);
        ASSERT_TRUE(r) << r.error().message;
    }

    std::string tmp_, root_;
};

TEST_F(StateTest, ClaimMakesAPrivateRootAndRefusesASecondClaim) {
    auto first = claim_state_dir(root_, "c1");
    ASSERT_TRUE(first) << first.error().message;
    struct stat st {};
    ASSERT_EQ(::stat(root_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u) << "the runtime root must be private";
    EXPECT_TRUE(std::filesystem::is_directory(root_ + "/c1"));

    auto second = claim_state_dir(root_, "c1");
    ASSERT_FALSE(second);
    EXPECT_NE(second.error().message.find("already exists"), std::string::npos)
        << second.error().message;
    EXPECT_NE(second.error().message.find("\"c1\""), std::string::npos) << second.error().message;
}

TEST_F(StateTest, SaveLoadRoundTrip) {
    auto s = sample("round");
    claim_and_save(s);
    auto loaded = load_state(root_, "round");
    ASSERT_TRUE(loaded) << loaded.error().message;
    EXPECT_EQ(loaded->id, s.id);
    EXPECT_EQ(loaded->bundle, s.bundle);
    EXPECT_EQ(loaded->rootfs, s.rootfs);
    EXPECT_EQ(loaded->pid, s.pid);
    EXPECT_EQ(loaded->pid_start_time, s.pid_start_time);
    EXPECT_EQ(loaded->created, s.created);
    EXPECT_EQ(loaded->owner, s.owner);
    EXPECT_EQ(loaded->annotations, s.annotations);
    EXPECT_EQ(loaded->cgroups_path, s.cgroups_path);
}

TEST_F(StateTest, SaveLeavesNoTemporaryAndIsPrivate) {
    claim_and_save(sample("tidy"));
    std::vector<std::string> names;
    for (auto& e : std::filesystem::directory_iterator(root_ + "/tidy"))
        names.push_back(e.path().filename());
    EXPECT_EQ(names, std::vector<std::string>{"state.json"});
    struct stat st {};
    ASSERT_EQ(::stat((root_ + "/tidy/state.json").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
}

TEST_F(StateTest, LoadOfAMissingIdSaysItDoesNotExist) {
    for (bool root_exists : {false, true}) {
        if (root_exists) {
            ASSERT_TRUE(claim_state_dir(root_, "other"));
        }
        auto r = load_state(root_, "ghost");
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().message, "container \"ghost\" does not exist");
    }
}

TEST_F(StateTest, LoadOfAClaimedButUnsavedIdSaysItDoesNotExist) {
    ASSERT_TRUE(claim_state_dir(root_, "half"));
    auto r = load_state(root_, "half");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("does not exist"), std::string::npos) << r.error().message;
}

TEST_F(StateTest, LoadOfCorruptStateNamesTheFile) {
    ASSERT_TRUE(claim_state_dir(root_, "bad"));
    ASSERT_TRUE(write_file_atomic(root_ + "/bad/state.json", "{\"pid\": "));
    auto r = load_state(root_, "bad");
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find(root_ + "/bad/state.json"), std::string::npos)
        << r.error().message;
}

TEST_F(StateTest, RemoveStateDirRemovesEverything) {
    claim_and_save(sample("gone"));
    ASSERT_TRUE(write_file_atomic(root_ + "/gone/config.json", "{}"));
    ASSERT_TRUE(remove_state_dir(root_, "gone"));
    EXPECT_FALSE(path_exists(root_ + "/gone"));
    EXPECT_TRUE(remove_state_dir(root_, "gone")) << "removing twice is not an error";
}

TEST_F(StateTest, ListContainerIdsSortedAndOnlyThoseWithState) {
    auto none = list_container_ids(root_);
    ASSERT_TRUE(none) << none.error().message;
    EXPECT_TRUE(none->empty()) << "a missing root lists nothing";

    claim_and_save(sample("zeta"));
    claim_and_save(sample("alpha"));
    claim_and_save(sample("mid"));
    ASSERT_TRUE(claim_state_dir(root_, "creating-no-state"));
    ASSERT_TRUE(write_file_atomic(root_ + "/stray-file", "x"));
    auto ids = list_container_ids(root_);
    ASSERT_TRUE(ids) << ids.error().message;
    EXPECT_EQ(*ids, (std::vector<std::string>{"alpha", "mid", "zeta"}));
}

TEST_F(StateTest, StatusOfPidZeroIsStopped) {
    auto s = sample("zero");
    s.pid = 0;
    s.pid_start_time = 0;
    EXPECT_EQ(current_status(root_, s), Status::stopped);
}

TEST_F(StateTest, StatusOfALiveInitIsRunningAndCreatedWhileTheFifoExists) {
    SleepingChild child;
    ASSERT_GT(child.pid(), 0);
    auto s = sample("live");
    s.pid = child.pid();
    s.pid_start_time = process_start_time(child.pid());
    ASSERT_NE(s.pid_start_time, 0u);
    claim_and_save(s);

    EXPECT_EQ(current_status(root_, s), Status::running);

    std::string fifo = StateDir(root_, s.id).exec_fifo();
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_EQ(current_status(root_, s), Status::created);
    ::unlink(fifo.c_str());
    EXPECT_EQ(current_status(root_, s), Status::running);

    child.reap();
    EXPECT_EQ(current_status(root_, s), Status::stopped) << "the init is gone";
}

TEST_F(StateTest, StatusIsStoppedWhenThePidWasReused) {
    SleepingChild child;
    auto s = sample("reused");
    s.pid = child.pid();
    s.pid_start_time = process_start_time(child.pid()) + 1;  // some earlier process with this pid
    claim_and_save(s);
    std::string fifo = StateDir(root_, s.id).exec_fifo();
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    EXPECT_EQ(current_status(root_, s), Status::stopped)
        << "a live process with another start time is not our init, exec.fifo or not";
}

TEST_F(StateTest, ProcessStartTimeMatchesProcAndIsZeroForZombiesAndTheDead) {
    EXPECT_GT(process_start_time(::getpid()), 0u);
    EXPECT_EQ(process_start_time(::getpid()), process_start_time(::getpid()));

    pid_t zombie = ::fork();
    if (zombie == 0) ::_exit(0);
    ASSERT_GT(zombie, 0);
    for (int i = 0; i < 500 && proc_state_letter(zombie) != 'Z'; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    char letter = proc_state_letter(zombie);
    unsigned long long zombie_start = process_start_time(zombie);
    ASSERT_EQ(::waitpid(zombie, nullptr, 0), zombie);
    ASSERT_EQ(letter, 'Z') << "the child never became a zombie";
    EXPECT_EQ(zombie_start, 0u) << "an exited (unreaped) init has stopped";
    EXPECT_EQ(process_start_time(zombie), 0u) << "a reaped pid has no start time";
}

TEST_F(StateTest, ProcessStartTimeCopesWithParenthesesInTheCommandName) {
    // proc(5): field 2 is the command name in parentheses, and it may itself hold
    // spaces and ')'; fields after it must still be counted right.
    const char* name = "a) b (c) d";
    SleepingChild child(name);
    std::string comm = "/proc/" + std::to_string(child.pid()) + "/comm";
    for (int i = 0; i < 500 && read_file(comm).value_or("") != std::string(name) + "\n"; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ASSERT_EQ(read_file(comm).value_or(""), std::string(name) + "\n");
    auto stat = read_file("/proc/" + std::to_string(child.pid()) + "/stat");
    ASSERT_TRUE(stat);
    // Field 22 counted by hand from after the last ')'.
    std::string rest = stat->substr(stat->rfind(')') + 2);
    std::istringstream fields(rest);
    std::string f;
    for (int i = 3; i <= 22; ++i) fields >> f;
    EXPECT_EQ(process_start_time(child.pid()), std::stoull(f));
}

TEST_F(StateTest, StateJsonHidesThePidOfAStoppedContainer) {
    auto s = sample("json");
    auto running = state_json(s, Status::running);
    EXPECT_EQ(running["status"], "running");
    EXPECT_EQ(running["pid"], 4242);
    EXPECT_EQ(running["id"], "json");
    EXPECT_EQ(running["bundle"], s.bundle);
    EXPECT_EQ(running["annotations"]["org.example/key"], "value with \"quotes\"");
    EXPECT_TRUE(running.contains("ociVersion"));
    auto stopped = state_json(s, Status::stopped);
    EXPECT_EQ(stopped["status"], "stopped");
    EXPECT_EQ(stopped["pid"], 0);
    s.annotations.clear();
    EXPECT_FALSE(state_json(s, Status::created).contains("annotations"));
}

TEST(StatusName, EveryStatus) {
    EXPECT_STREQ(status_name(Status::creating), "creating");
    EXPECT_STREQ(status_name(Status::created), "created");
    EXPECT_STREQ(status_name(Status::running), "running");
    EXPECT_STREQ(status_name(Status::paused), "paused");
    EXPECT_STREQ(status_name(Status::stopped), "stopped");
}

}  // namespace
}  // namespace berth::runtime
