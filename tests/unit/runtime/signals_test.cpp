#include "runtime/signals.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>

namespace berth::runtime {
namespace {

TEST(Signals, ParsesNamesWithAndWithoutPrefixInAnyCase) {
    EXPECT_EQ(parse_signal("KILL"), SIGKILL);
    EXPECT_EQ(parse_signal("SIGKILL"), SIGKILL);
    EXPECT_EQ(parse_signal("kill"), SIGKILL);
    EXPECT_EQ(parse_signal("sigterm"), SIGTERM);
    EXPECT_EQ(parse_signal("SigHup"), SIGHUP);
    EXPECT_EQ(parse_signal("WINCH"), SIGWINCH);
    EXPECT_EQ(parse_signal("SIGSYS"), SIGSYS);
}

TEST(Signals, ParsesNumbersInRange) {
    EXPECT_EQ(parse_signal("9"), 9);
    EXPECT_EQ(parse_signal("1"), 1);
    EXPECT_EQ(parse_signal(std::to_string(SIGRTMAX)), SIGRTMAX);
}

TEST(Signals, ParsesRealTimeSignals) {
    EXPECT_EQ(parse_signal("RTMIN"), SIGRTMIN);
    EXPECT_EQ(parse_signal("RTMIN+2"), SIGRTMIN + 2);
    EXPECT_EQ(parse_signal("SIGRTMIN+2"), SIGRTMIN + 2);
    EXPECT_EQ(parse_signal("rtmin+2"), SIGRTMIN + 2);
    EXPECT_EQ(parse_signal("RTMAX"), SIGRTMAX);
    EXPECT_EQ(parse_signal("RTMAX-1"), SIGRTMAX - 1);
    EXPECT_EQ(parse_signal("RTMIN+" + std::to_string(SIGRTMAX - SIGRTMIN)), SIGRTMAX);
}

TEST(Signals, RefusesBadOnes) {
    for (const char* s :
         {"0", "65", "-9", "FOO", "SIGFOO", "", "SIG", "RTMIN+99", "RTMAX-99", "RTMIN-1", "RTMAX+1",
          "RTMIN+", "RTMIN+x", "RTMINX", "9x", " 9", "KILL "}) {
        EXPECT_FALSE(parse_signal(s)) << "accepted \"" << s << "\" as " << *parse_signal(s);
    }
}

TEST(Signals, NamesKnownAndUnnamedSignals) {
    EXPECT_EQ(signal_name(SIGKILL), "SIGKILL");
    EXPECT_EQ(signal_name(SIGTERM), "SIGTERM");
    EXPECT_EQ(signal_name(SIGRTMIN + 4), "SIGRTMIN+4");
    EXPECT_EQ(parse_signal(signal_name(SIGRTMIN + 4)), SIGRTMIN + 4);
}

TEST(Signals, EveryNameParsesBackToItsSignal) {
    for (int sig = 1; sig <= SIGRTMAX; ++sig) {
        if (sig > SIGSYS && sig < SIGRTMIN) continue;  // glibc's reserved 32, 33
        EXPECT_EQ(parse_signal(signal_name(sig)), sig) << signal_name(sig);
    }
}

}  // namespace
}  // namespace berth::runtime
