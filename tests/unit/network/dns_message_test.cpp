#include "network/dns_message.hpp"

#include <gtest/gtest.h>

#include <random>

#include "network/dns_test_support.hpp"

namespace berth::network {
namespace {

using test::Bytes;
using test::dns_query;
using test::read_response;

IpAddress v4(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
    return IpAddress::v4((a << 24) | (b << 16) | (c << 8) | d);
}

DnsQuery parsed(const Bytes& packet) {
    auto q = parse_dns_query(packet);
    EXPECT_TRUE(q) << q.error().message;
    return q ? *q : DnsQuery{};
}

std::string parse_error(const Bytes& packet) {
    auto q = parse_dns_query(packet);
    EXPECT_FALSE(q) << "parsed as a query for " << q->name;
    return q ? "" : q.error().message;
}

TEST(DnsMessage, ParsesAQuestionAndLowercasesItsName) {
    auto q = parsed(dns_query(0xBEEF, "WeB.MyNet", kDnsTypeA));
    EXPECT_EQ(q.id, 0xBEEF);
    EXPECT_EQ(q.name, "web.mynet");
    EXPECT_EQ(q.wire_name, test::wire_name("WeB.MyNet")) << "the name as asked keeps its case";
    EXPECT_EQ(q.type, kDnsTypeA);
    EXPECT_EQ(q.qclass, kDnsClassIn);
    EXPECT_EQ(q.opcode(), 0);
    EXPECT_FALSE(q.edns_udp_size);
    EXPECT_EQ(q.udp_limit(), 512u);
}

TEST(DnsMessage, EscapesDotsAndUnprintableBytesInsideLabels) {
    Bytes packet = dns_query(1, "x", kDnsTypeA);
    // Replace the name "x" by the one label "a.b\x01".
    packet.erase(packet.begin() + 12, packet.begin() + 15);
    Bytes label = {4, 'a', '.', 'b', 1, 0};
    packet.insert(packet.begin() + 12, label.begin(), label.end());
    EXPECT_EQ(parsed(packet).name, "a\\.b\\001");
}

TEST(DnsMessage, AnswersCopyTheQuestionAndCarryTtl600) {
    Bytes query = dns_query(0x1234, "Web.MyNet", kDnsTypeA);
    auto q = parsed(query);
    auto bytes = build_dns_response(
        q, DnsRcode::no_error,
        {dns_address_record(v4(172, 18, 0, 2)), dns_address_record(v4(172, 18, 0, 3))}, true, 512);
    auto r = read_response(bytes);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->id, 0x1234);
    EXPECT_TRUE(r->qr());
    EXPECT_TRUE(r->aa());
    EXPECT_TRUE(r->ra());
    EXPECT_TRUE(r->rd()) << "RD is copied from the query";
    EXPECT_FALSE(r->tc());
    EXPECT_EQ(r->rcode(), 0);
    EXPECT_EQ(r->question, test::question_of(query)) << "the question, case included, is copied";
    ASSERT_EQ(r->answers.size(), 2u);
    EXPECT_EQ(r->answers[0].type, kDnsTypeA);
    EXPECT_EQ(r->answers[0].rclass, kDnsClassIn);
    EXPECT_EQ(r->answers[0].ttl, 600u);
    EXPECT_EQ(r->answers[0].rdata, (Bytes{172, 18, 0, 2}));
    EXPECT_EQ(r->answers[1].rdata, (Bytes{172, 18, 0, 3}));
    EXPECT_TRUE(r->additional.empty());
}

TEST(DnsMessage, AaaaAndPtrRecords) {
    IpAddress v6;
    v6.v6 = true;
    v6.bytes[0] = 0xfd;
    v6.bytes[15] = 2;
    auto aaaa = dns_address_record(v6);
    EXPECT_EQ(aaaa.type, kDnsTypeAaaa);
    EXPECT_EQ(aaaa.rdata, Bytes(v6.bytes.begin(), v6.bytes.end()));

    auto ptr = dns_ptr_record("web.mynet.");
    ASSERT_TRUE(ptr) << ptr.error().message;
    EXPECT_EQ(ptr->type, kDnsTypePtr);
    EXPECT_EQ(ptr->rdata, test::wire_name("web.mynet"));

    EXPECT_FALSE(dns_ptr_record("a..b")) << "empty label";
    EXPECT_FALSE(dns_ptr_record(std::string(64, 'a') + ".net")) << "label over 63 bytes";
    std::string long_name;
    for (int i = 0; i < 5; ++i) long_name += std::string(60, 'a') + ".";
    EXPECT_FALSE(dns_ptr_record(long_name)) << "name over 255 bytes";
}

TEST(DnsMessage, ErrorResponsesCarryTheirRcodeAndNoAnswer) {
    auto q = parsed(dns_query(7, "nowhere", kDnsTypeA));
    for (auto [rcode, code] :
         {std::pair{DnsRcode::name_error, 3}, std::pair{DnsRcode::server_failure, 2},
          std::pair{DnsRcode::format_error, 1}}) {
        auto r = read_response(build_dns_response(q, rcode, {}, false, 512));
        ASSERT_TRUE(r);
        EXPECT_EQ(r->rcode(), code);
        EXPECT_EQ(r->id, 7);
        EXPECT_FALSE(r->aa()) << "only answers of the daemon's own names are authoritative";
        EXPECT_TRUE(r->ra());
        EXPECT_TRUE(r->answers.empty());
    }
}

TEST(DnsMessage, EdnsOptRecordIsToleratedAndAnswered) {
    auto q = parsed(dns_query(9, "web", kDnsTypeA, 4096));
    ASSERT_TRUE(q.edns_udp_size);
    EXPECT_EQ(*q.edns_udp_size, 4096);
    EXPECT_EQ(q.udp_limit(), 1232u) << "capped at what the server offers";
    EXPECT_EQ(parsed(dns_query(9, "web", kDnsTypeA, 100)).udp_limit(), 512u)
        << "below 512 means 512";

    auto r = read_response(build_dns_response(q, DnsRcode::no_error,
                                              {dns_address_record(v4(10, 0, 0, 1))}, true, 1232));
    ASSERT_TRUE(r);
    ASSERT_EQ(r->answers.size(), 1u);
    ASSERT_EQ(r->additional.size(), 1u);
    EXPECT_EQ(r->additional[0].type, kDnsTypeOpt);
    EXPECT_EQ(r->additional[0].rclass, 1232) << "the OPT record's class is our UDP payload size";
}

TEST(DnsMessage, TwoOptRecordsAreAnError) {
    Bytes packet = dns_query(9, "web", kDnsTypeA, 4096);
    Bytes opt(packet.end() - 11, packet.end());
    packet.insert(packet.end(), opt.begin(), opt.end());
    packet[11] = 2;
    EXPECT_NE(parse_error(packet).find("more than one OPT"), std::string::npos);
}

TEST(DnsMessage, AnswersThatDoNotFitAreLeftOutWithTcSet) {
    auto q = parsed(dns_query(3, "many", kDnsTypeA));
    std::vector<DnsRecord> answers;
    for (std::uint8_t i = 0; i < 40; ++i) answers.push_back(dns_address_record(v4(10, 0, 0, i)));
    auto bytes = build_dns_response(q, DnsRcode::no_error, answers, true, 512);
    EXPECT_LE(bytes.size(), 512u);
    auto r = read_response(bytes);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->tc());
    EXPECT_EQ(r->answers.size(), (512u - 12 - 10) / 16) << "as many 16-byte answers as fit";

    auto all = read_response(build_dns_response(q, DnsRcode::no_error, answers, true, 65535));
    ASSERT_TRUE(all);
    EXPECT_FALSE(all->tc());
    EXPECT_EQ(all->answers.size(), 40u);
}

TEST(DnsMessage, FollowsCompressionPointers) {
    // An additional A record whose owner points at the question (offset 12).
    Bytes packet = dns_query(5, "web", kDnsTypeA);
    packet[11] = 1;
    for (std::uint8_t b : {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4})
        packet.push_back(b);
    EXPECT_EQ(parsed(packet).name, "web");

    // A question "www" continued by a pointer to offset 4, whose byte (the high
    // byte of QDCOUNT) is 0: the root.
    Bytes q2 = dns_query(5, "www", kDnsTypeA);
    q2.erase(q2.begin() + 16);  // the root after "www"
    q2.insert(q2.begin() + 16, {0xC0, 0x04});
    auto q = parsed(q2);
    EXPECT_EQ(q.name, "www");
    EXPECT_EQ(q.wire_name, test::wire_name("www")) << "the copied question is uncompressed";
    EXPECT_EQ(q.type, kDnsTypeA);
}

TEST(DnsMessage, PointerLoopsAreRefused) {
    Bytes self = dns_query(5, "", kDnsTypeA);
    self.erase(self.begin() + 12);
    self.insert(self.begin() + 12, {0xC0, 0x0C});  // the question name points at itself
    EXPECT_NE(parse_error(self).find("loop"), std::string::npos);

    Bytes cycle = dns_query(5, "a", kDnsTypeA);
    cycle.erase(cycle.begin() + 14);
    cycle.insert(cycle.begin() + 14, {0xC0, 0x0C});  // "a" then back to "a"
    EXPECT_NE(parse_error(cycle).find("loop"), std::string::npos);

    Bytes forward = dns_query(5, "", kDnsTypeA);
    forward.erase(forward.begin() + 12);
    forward.insert(forward.begin() + 12, {0xC0, 0x20});  // points ahead, past the end
    EXPECT_FALSE(parse_dns_query(forward));
}

TEST(DnsMessage, MalformedQueriesAreErrors) {
    Bytes good = dns_query(5, "web.mynet", kDnsTypeA);
    EXPECT_NE(parse_error(Bytes(good.begin(), good.begin() + 11)).find("shorter than a DNS header"),
              std::string::npos);
    EXPECT_FALSE(parse_dns_query(Bytes(good.begin(), good.begin() + 16))) << "name cut short";
    EXPECT_FALSE(parse_dns_query(Bytes(good.begin(), good.end() - 1))) << "class cut short";

    Bytes long_label = good;
    long_label[12] = 64;
    EXPECT_NE(parse_error(long_label).find("label length"), std::string::npos);

    Bytes long_name = dns_query(5, "", kDnsTypeA);
    Bytes labels;
    for (int i = 0; i < 5; ++i) {
        labels.push_back(63);
        labels.insert(labels.end(), 63, 'a');
    }
    long_name.insert(long_name.begin() + 12, labels.begin(), labels.end());
    EXPECT_NE(parse_error(long_name).find("longer than 255"), std::string::npos);

    Bytes two_questions = good;
    two_questions[5] = 2;
    EXPECT_NE(parse_error(two_questions).find("2 questions"), std::string::npos);

    Bytes response = good;
    response[2] |= 0x80;
    EXPECT_NE(parse_error(response).find("response"), std::string::npos);

    Bytes missing_record = good;
    missing_record[11] = 1;  // announces an additional record that is not there
    EXPECT_FALSE(parse_dns_query(missing_record));
}

TEST(DnsMessage, FormatErrorKeepsTheIdUnlessNoAnswerIsDue) {
    Bytes bad = dns_query(0xCAFE, "web", kDnsTypeA);
    bad[5] = 0;  // no question
    auto r = read_response(build_dns_format_error(bad));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->id, 0xCAFE);
    EXPECT_TRUE(r->qr());
    EXPECT_EQ(r->rcode(), 1);
    EXPECT_TRUE(r->rd());

    EXPECT_TRUE(build_dns_format_error(Bytes{1, 2, 3}).empty()) << "too short to carry an ID";
    Bytes response = dns_query(1, "web", kDnsTypeA);
    response[2] |= 0x80;
    EXPECT_TRUE(build_dns_format_error(response).empty()) << "answering a response could loop";
}

TEST(DnsMessage, IdHelpers) {
    Bytes q = dns_query(0x0102, "web", kDnsTypeA);
    EXPECT_EQ(dns_id(q), 0x0102);
    set_dns_id(q, 0xA0B0);
    EXPECT_EQ(dns_id(q), 0xA0B0);
    EXPECT_FALSE(is_dns_response(q));
    q[2] |= 0x80;
    EXPECT_TRUE(is_dns_response(q));
    EXPECT_FALSE(dns_id(Bytes{1, 2}));
}

// Mutated and random packets: parsing must end, never read out of bounds (run
// under the sanitizer build for that), and whatever parses must answer sanely.
TEST(DnsMessage, MutatedPacketsNeverCrash) {
    std::mt19937 rng(20240601);
    Bytes seed = dns_query(0x4242, "web.mynet", kDnsTypeAaaa, 1232);
    int parsed_count = 0;
    for (int i = 0; i < 20000; ++i) {
        Bytes p = seed;
        int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits; ++e) {
            switch (rng() % 3) {
                case 0:
                    p[rng() % p.size()] = static_cast<std::uint8_t>(rng());
                    break;
                case 1:
                    p.resize(rng() % (p.size() + 1));
                    break;
                case 2:
                    p.insert(p.begin() + static_cast<long>(rng() % (p.size() + 1)),
                             static_cast<std::uint8_t>(rng()));
                    break;
            }
            if (p.empty()) p.push_back(0);
        }
        auto q = parse_dns_query(p);
        if (!q) {
            build_dns_format_error(p);
            continue;
        }
        ++parsed_count;
        auto r =
            read_response(build_dns_response(*q, DnsRcode::no_error, {}, true, q->udp_limit()));
        EXPECT_TRUE(r) << "the response to a query that parsed must be well formed";
    }
    EXPECT_GT(parsed_count, 0);
}

}  // namespace
}  // namespace berth::network
