#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "base/file.hpp"
#include "image/tar_reader.hpp"
#include "image/tar_writer.hpp"
#include "layer_fixture.hpp"

namespace berth::image {
namespace {

using test::reseal;
using test::sh;
using test::TempDir;

struct ReadEntry {
    TarEntry entry;
    std::string data;
};

// Reads every entry of `tar` with its data, failing the test on any error.
std::vector<ReadEntry> read_all_entries(const std::string& tar) {
    StringReader in(tar);
    TarReader reader(in);
    std::vector<ReadEntry> out;
    for (;;) {
        auto e = reader.next();
        EXPECT_TRUE(e) << e.error().message;
        if (!e || !*e) break;
        auto data = read_all(reader.body(), 1 << 24);
        EXPECT_TRUE(data) << data.error().message;
        out.push_back({**e, data ? *data : ""});
    }
    return out;
}

TarEntry make_entry(std::string path, char type) {
    TarEntry e;
    e.path = std::move(path);
    e.type = type;
    e.mode = type == '5' ? 0755 : 0644;
    return e;
}

// An archive exercising what layers carry; used in both directions below.
std::string sample_archive() {
    StringWriter out;
    TarWriter w(out);
    std::string long_dir(150, 'd');
    std::string long_name = long_dir + "/" + std::string(120, 'f');
    TarEntry dir = make_entry("dir", '5');
    dir.mode = 01777;
    dir.uid = 1000;
    dir.gid = 1001;
    dir.mtime = {1700000000, 0};
    EXPECT_TRUE(w.add(dir, nullptr));
    EXPECT_TRUE(w.add_file("dir/hello.txt", "hello world\n", 04755, {1700000001, 500000000}));
    EXPECT_TRUE(w.add(make_entry(long_dir, '5'), nullptr));
    EXPECT_TRUE(w.add_file(long_name, std::string(1000, 'x')));
    TarEntry link = make_entry("dir/link", '2');
    link.link = "../" + std::string(200, 't');
    EXPECT_TRUE(w.add(link, nullptr));
    TarEntry hard = make_entry("dir/hard", '1');
    hard.link = "dir/hello.txt";
    EXPECT_TRUE(w.add(hard, nullptr));
    TarEntry chr = make_entry("null", '3');
    chr.devmajor = 1;
    chr.devminor = 3;
    EXPECT_TRUE(w.add(chr, nullptr));
    TarEntry fifo = make_entry("pipe", '6');
    EXPECT_TRUE(w.add(fifo, nullptr));
    TarEntry x = make_entry("xattrs", '0');
    x.xattrs = {{"user.comment", "a value with = and \n newline"}, {"security.capability", std::string("\x01\x00\x00\x02", 4)}};
    EXPECT_TRUE(w.add(x, nullptr));
    TarEntry big_ids = make_entry("bigids", '0');
    big_ids.uid = 100000000;
    big_ids.gid = 4000000000u;
    EXPECT_TRUE(w.add(big_ids, nullptr));
    EXPECT_TRUE(w.finish());
    return out.out;
}

TEST(Tar, RoundTripKeepsEveryField) {
    auto entries = read_all_entries(sample_archive());
    ASSERT_EQ(entries.size(), 10u);
    EXPECT_EQ(entries[0].entry.path, "dir");
    EXPECT_EQ(entries[0].entry.type, '5');
    EXPECT_EQ(entries[0].entry.mode, 01777u);
    EXPECT_EQ(entries[0].entry.uid, 1000u);
    EXPECT_EQ(entries[0].entry.gid, 1001u);
    EXPECT_EQ(entries[0].entry.mtime.tv_sec, 1700000000);
    EXPECT_EQ(entries[1].data, "hello world\n");
    EXPECT_EQ(entries[1].entry.mode, 04755u) << "setuid bit lost";
    EXPECT_EQ(entries[1].entry.mtime.tv_nsec, 500000000) << "sub-second mtime lost";
    EXPECT_EQ(entries[3].entry.path, std::string(150, 'd') + "/" + std::string(120, 'f')) << "long path mangled";
    EXPECT_EQ(entries[3].data, std::string(1000, 'x'));
    EXPECT_EQ(entries[4].entry.link, "../" + std::string(200, 't')) << "long link target mangled";
    EXPECT_EQ(entries[5].entry.type, '1');
    EXPECT_EQ(entries[5].entry.link, "dir/hello.txt");
    EXPECT_EQ(entries[6].entry.type, '3');
    EXPECT_EQ(entries[6].entry.devmajor, 1u);
    EXPECT_EQ(entries[6].entry.devminor, 3u);
    EXPECT_EQ(entries[7].entry.type, '6');
    EXPECT_EQ(entries[8].entry.xattrs.at("user.comment"), "a value with = and \n newline");
    EXPECT_EQ(entries[8].entry.xattrs.at("security.capability"), std::string("\x01\x00\x00\x02", 4));
    EXPECT_EQ(entries[9].entry.uid, 100000000u);
    EXPECT_EQ(entries[9].entry.gid, 4000000000u);
}

TEST(Tar, SkipsUnreadDataOfThePreviousEntry) {
    StringWriter out;
    TarWriter w(out);
    ASSERT_TRUE(w.add_file("a", std::string(5000, 'a')));
    ASSERT_TRUE(w.add_file("b", "bee"));
    ASSERT_TRUE(w.finish());
    StringReader in(out.out);
    TarReader r(in);
    auto a = r.next();
    ASSERT_TRUE(a && *a);
    char two[2];
    ASSERT_TRUE(read_exact(r.body(), two, 2));  // read only part of "a"
    auto b = r.next();
    ASSERT_TRUE(b && *b) << (b ? "end" : b.error().message);
    EXPECT_EQ((*b)->path, "b");
    EXPECT_EQ(*read_all(r.body(), 100), "bee");
    auto end = r.next();
    ASSERT_TRUE(end);
    EXPECT_FALSE(*end);
}

TEST(Tar, RefusesABadChecksum) {
    std::string tar = sample_archive();
    tar[0] ^= 0x20;  // 'd' -> 'D' in the first name
    StringReader in(tar);
    TarReader r(in);
    auto e = r.next();
    ASSERT_FALSE(e) << "a corrupt header was accepted";
    EXPECT_NE(e.error().message.find("checksum"), std::string::npos) << e.error().message;
}

TEST(Tar, RefusesATruncatedArchive) {
    StringWriter out;
    TarWriter w(out);
    ASSERT_TRUE(w.add_file("a", std::string(2000, 'a')));
    std::string cut = out.out.substr(0, 1024);
    StringReader in(cut);
    TarReader r(in);
    auto e = r.next();
    ASSERT_TRUE(e && *e);
    auto data = read_all(r.body(), 1 << 20);
    EXPECT_FALSE(data) << "data of a truncated entry read as complete";
}

TEST(Tar, RefusesOversizedExtensionHeaders) {
    // A GNU long-name header claiming 100 MB must not be buffered.
    char block[512] = {};
    std::snprintf(block, 100, "././@LongLink");
    std::snprintf(block + 100, 8, "0000644");
    std::snprintf(block + 124, 12, "%011o", 100u << 20);
    block[156] = 'L';
    std::memcpy(block + 257, "ustar  ", 8);
    reseal(block);
    StringReader in(std::string_view(block, 512));
    TarReader r(in);
    auto e = r.next();
    ASSERT_FALSE(e);
    EXPECT_NE(e.error().message.find("limit"), std::string::npos) << e.error().message;
}

TEST(Tar, RefusesANegativeExtensionHeaderSize) {
    char block[512] = {};
    std::snprintf(block, 100, "PaxHeaders/x");
    std::memset(block + 124, 0xff, 12);  // base-256 -1
    block[156] = 'x';
    reseal(block);
    StringReader in(std::string_view(block, 512));
    TarReader r(in);
    auto e = r.next();
    ASSERT_FALSE(e) << "negative extension size accepted";
    EXPECT_NE(e.error().message.find("limit"), std::string::npos) << e.error().message;
}

TEST(Tar, BoundsAChainOfPaxHeadersTogether) {
    // Many pax headers, each under the bound, must not add up to unbounded memory.
    StringWriter out;
    TarWriter w(out);
    TarEntry e;
    e.path = "f";
    e.xattrs = {{"user.big", std::string(300 * 1024, 'v')}};
    ASSERT_TRUE(w.add(e, nullptr));
    std::string one = out.out.substr(0, out.out.size() - 512);  // the pax header without its entry
    std::string chain;
    for (int i = 0; i < 5; ++i) chain += one;
    chain += out.out;
    StringReader in(chain);
    TarReader r(in);
    auto next = r.next();
    ASSERT_FALSE(next) << "1.5 MB of chained pax headers accepted";
    EXPECT_NE(next.error().message.find("limit"), std::string::npos) << next.error().message;
}

TEST(Tar, ReadsBase256Numbers) {
    StringWriter out;
    TarWriter w(out);
    ASSERT_TRUE(w.add_file("f", ""));
    std::string tar = out.out;
    // The uid field rewritten in GNU base-256: 0x80, then the value big-endian.
    char* uid = tar.data() + 108;
    std::memset(uid, 0, 8);
    uid[0] = static_cast<char>(0x80);
    std::uint32_t v = 3000000;
    for (int i = 0; i < 4; ++i) uid[7 - i] = static_cast<char>((v >> (8 * i)) & 0xff);
    reseal(tar.data());
    auto entries = read_all_entries(tar);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].entry.uid, 3000000u);
}

TEST(Tar, GnuTarReadsWhatWeWrite) {
    TempDir tmp;
    ASSERT_TRUE(write_file_atomic(tmp / "a.tar", sample_archive()));
    auto r = sh("cd " + tmp.path() + " && mkdir x && tar --xattrs --xattrs-include='*' -xpf a.tar -C x && "
                "cat x/dir/hello.txt && stat -c '%a %u %g' x/dir x/bigids && readlink x/dir/link | wc -c && "
                "stat -c %h x/dir/hard && stat -c '%t:%T' x/null && find x -name 'f*' -size 1000c | wc -l");
    ASSERT_TRUE(r.ok()) << r.stderr_text;
    EXPECT_EQ(r.stdout_text, "hello world\n1777 1000 1001\n644 100000000 4000000000\n204\n2\n1:3\n1\n");
    EXPECT_EQ(test::xattr_of(tmp / "x/xattrs", "user.comment"), "a value with = and \n newline");
}

TEST(Tar, PythonTarfileReadsWhatWeWrite) {
    TempDir tmp;
    ASSERT_TRUE(write_file_atomic(tmp / "a.tar", sample_archive()));
    auto r = sh("python3 -c 'import tarfile,sys\n"
                "for m in tarfile.open(sys.argv[1]): print(len(m.name), m.type.decode(), m.uid, oct(m.mode), m.mtime)' " +
                tmp / "a.tar");
    ASSERT_TRUE(r.ok()) << r.stderr_text;
    EXPECT_EQ(r.stdout_text,
              "3 5 1000 0o1777 1700000000\n13 0 0 0o4755 1700000001.5\n150 5 0 0o755 0\n271 0 0 0o644 0\n"
              "8 2 0 0o644 0\n8 1 0 0o644 0\n4 3 0 0o644 0\n4 6 0 0o644 0\n6 0 0 0o644 0\n6 0 100000000 0o644 0\n");
}

TEST(Tar, ReadsWhatGnuTarWritesInEveryFormat) {
    for (std::string format : {"gnu", "posix", "ustar"}) {
        TempDir tmp;
        std::string deep = "d/" + std::string(90, 'a') + "/" + std::string(90, 'b');
        bool long_ok = format != "ustar";
        auto r = sh("cd " + tmp.path() + " && mkdir -p src/" + deep + " && printf data > src/" + deep +
                    "/file && ln src/" + deep + "/file src/hard && ln -s /etc/passwd src/sym && mknod src/null c 1 3 && "
                    "chown 12345:54321 src/hard && touch -d @1600000000 src/hard && "
                    "tar --format=" + format + (long_ok ? "" : " --exclude=src/d") + " --xattrs -C src -cf a.tar .");
        ASSERT_TRUE(r.ok()) << format << ": " << r.stderr_text;
        auto tar = read_file(tmp / "a.tar");
        ASSERT_TRUE(tar);
        auto entries = read_all_entries(*tar);
        std::map<std::string, TarEntry> by_path;
        std::map<std::string, std::string> data;
        for (auto& e : entries) {
            by_path[e.entry.path] = e.entry;
            data[e.entry.path] = e.data;
        }
        ASSERT_TRUE(by_path.count("./sym")) << format;
        EXPECT_EQ(by_path["./sym"].type, '2');
        EXPECT_EQ(by_path["./sym"].link, "/etc/passwd");
        EXPECT_EQ(by_path["./null"].type, '3') << format;
        EXPECT_EQ(by_path["./null"].devminor, 3u) << format;
        if (long_ok) {
            ASSERT_TRUE(by_path.count("./" + deep + "/file")) << format << ": long path not read";
            // GNU tar stores whichever name it meets first as the file, the other
            // as a hard link to it.
            std::string a = "./hard", b = "./" + deep + "/file";
            if (by_path[a].type == '0') std::swap(a, b);
            EXPECT_EQ(by_path[a].type, '1') << format << ": hard link not recognised";
            EXPECT_EQ(by_path[a].link, b) << format;
            EXPECT_EQ(data[b], "data") << format;
        } else {
            EXPECT_EQ(by_path["./hard"].uid, 12345u);
            EXPECT_EQ(by_path["./hard"].gid, 54321u);
            EXPECT_EQ(by_path["./hard"].mtime.tv_sec, 1600000000);
            EXPECT_EQ(data["./hard"], "data");
        }
    }
}

TEST(Tar, ReadsGnuTarXattrsAndSubsecondTimes) {
    TempDir tmp;
    auto r = sh("cd " + tmp.path() + " && mkdir src && echo hi > src/f && touch -d '@1600000000.25' src/f && "
                "python3 -c 'import os; os.setxattr(\"src/f\", \"user.k\", b\"v1\")' && "
                "tar --format=posix --xattrs --xattrs-include='*' -C src -cf a.tar f");
    ASSERT_TRUE(r.ok()) << r.stderr_text;
    auto entries = read_all_entries(*read_file(tmp / "a.tar"));
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].entry.xattrs["user.k"], "v1");
    EXPECT_EQ(entries[0].entry.mtime.tv_sec, 1600000000);
    EXPECT_EQ(entries[0].entry.mtime.tv_nsec, 250000000);
}

}  // namespace
}  // namespace berth::image
