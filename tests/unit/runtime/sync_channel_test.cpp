#include "runtime/sync_channel.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace berth::runtime {
namespace {

std::pair<SyncChannel, SyncChannel> channel_pair() {
    auto p = SyncChannel::make_pair();
    EXPECT_TRUE(p) << p.error().message;
    return std::move(*p);
}

TEST(SyncChannel, MessagesArriveWholeAndInOrder) {
    auto [parent, init] = channel_pair();
    ASSERT_TRUE(init.send(SyncTag::run_hooks, "payload one"));
    ASSERT_TRUE(init.send(SyncTag::ready));
    std::string big(50000, 'x');
    ASSERT_TRUE(init.send(SyncTag::hooks_done, big));

    auto m1 = parent.receive();
    ASSERT_TRUE(m1) << m1.error().message;
    EXPECT_EQ(m1->tag, SyncTag::run_hooks);
    EXPECT_EQ(m1->payload, "payload one");
    EXPECT_TRUE(m1->fds.empty());
    auto m2 = parent.expect(SyncTag::ready);
    ASSERT_TRUE(m2) << m2.error().message;
    EXPECT_EQ(m2->payload, "");
    auto m3 = parent.receive();
    ASSERT_TRUE(m3) << m3.error().message;
    EXPECT_EQ(m3->payload, big) << "a seqpacket message is never split";
}

TEST(SyncChannel, ExpectRefusesAnotherTagNamingBoth) {
    auto [parent, init] = channel_pair();
    ASSERT_TRUE(init.send(SyncTag::ready));
    auto m = parent.expect(SyncTag::run_hooks);
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("'h'"), std::string::npos) << m.error().message;
    EXPECT_NE(m.error().message.find("'r'"), std::string::npos) << m.error().message;
}

TEST(SyncChannel, ErrorTagBecomesAnErrorWithItsText) {
    auto [parent, init] = channel_pair();
    ASSERT_TRUE(init.send(SyncTag::error, "mount /proc: Permission denied"));
    auto m = parent.receive();
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().message, "mount /proc: Permission denied");
    ASSERT_TRUE(init.send(SyncTag::error, "second"));
    auto e = parent.expect(SyncTag::ready);
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().message, "second")
        << "expect() reports the peer's error, not a tag mismatch";
}

TEST(SyncChannel, EndOfFileMeansTheInitExited) {
    auto [parent, init] = channel_pair();
    init.close();
    auto m = parent.receive();
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("exited unexpectedly"), std::string::npos)
        << m.error().message;
}

TEST(SyncChannel, SendFdsPassesRealDescriptors) {
    auto [parent, init] = channel_pair();
    int p[2];
    ASSERT_EQ(::pipe(p), 0);
    UniqueFd read_end(p[0]), write_end(p[1]);
    std::vector<UniqueFd> fds;
    fds.emplace_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    fds.emplace_back(::dup(write_end.get()));
    ASSERT_TRUE(fds[0] && fds[1]);
    auto sent = parent.send_fds(SyncTag::cgroup_joined, fds);
    ASSERT_TRUE(sent) << sent.error().message;

    auto m = init.expect(SyncTag::cgroup_joined);
    ASSERT_TRUE(m) << m.error().message;
    ASSERT_EQ(m->fds.size(), 2u);
    struct stat got {
    }, want{};
    ASSERT_EQ(::fstat(m->fds[0].get(), &got), 0);
    ASSERT_EQ(::stat("/dev/null", &want), 0);
    EXPECT_EQ(got.st_rdev, want.st_rdev) << "the first fd is not /dev/null";
    EXPECT_NE(m->fds[0].get(), fds[0].get()) << "received fds are new descriptors";
    EXPECT_TRUE(::fcntl(m->fds[0].get(), F_GETFD) & FD_CLOEXEC)
        << "received fds must be close-on-exec";

    // The second one really is the pipe: what is written through it comes out here.
    fds.clear();
    write_end.reset();
    ASSERT_EQ(::write(m->fds[1].get(), "hi", 2), 2);
    m->fds.clear();
    char buf[8] = {};
    EXPECT_EQ(::read(read_end.get(), buf, sizeof buf), 2);
    EXPECT_STREQ(buf, "hi");
    EXPECT_EQ(::read(read_end.get(), buf, sizeof buf), 0)
        << "every copy of the write end is closed";
}

TEST(SyncChannel, SendFdsWithNoFdsIsAPlainMessage) {
    auto [parent, init] = channel_pair();
    ASSERT_TRUE(parent.send_fds(SyncTag::go, {}));
    auto m = init.expect(SyncTag::go);
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_TRUE(m->fds.empty());
}

TEST(SyncChannel, TooManyFdsIsRefused) {
    auto [parent, init] = channel_pair();
    std::vector<UniqueFd> fds;
    for (int i = 0; i < 33; ++i) fds.emplace_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    EXPECT_FALSE(parent.send_fds(SyncTag::go, fds));
}

TEST(SyncChannel, SendToAPeerThatFailedReturnsThePeersError) {
    auto [parent, init] = channel_pair();
    ASSERT_TRUE(init.send(SyncTag::error, "pivot_root: Invalid argument"));
    init.close();
    auto r = parent.send(SyncTag::go);
    ASSERT_FALSE(r) << "sending to a closed peer succeeded";
    EXPECT_EQ(r.error().message, "pivot_root: Invalid argument")
        << "the reason the init gave up is lost";
}

TEST(SyncChannel, SendToAPeerThatClosedSilentlyFails) {
    auto [parent, init] = channel_pair();
    init.close();
    auto r = parent.send(SyncTag::go);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("exited unexpectedly"), std::string::npos)
        << r.error().message;
}

}  // namespace
}  // namespace berth::runtime
