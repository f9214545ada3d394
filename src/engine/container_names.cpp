#include "engine/container_names.hpp"

#include <array>
#include <random>

#include "base/text.hpp"

namespace berth::engine {

namespace {

// Our own lists: moods and qualities, and people whose work computing and the
// sciences stand on. Any pair reads as a name; none is meant to offend.
constexpr std::array kAdjectives{
    "able",      "agile",     "amazing",   "amiable",   "ardent",    "awesome",   "blissful",
    "bold",      "brave",     "bright",    "brisk",     "busy",      "calm",      "candid",
    "careful",   "charming",  "cheerful",  "clever",    "cool",      "cosmic",    "crisp",
    "curious",   "daring",    "dazzling",  "determined","diligent",  "dreamy",    "eager",
    "earnest",   "ecstatic",  "elated",    "elegant",   "eloquent",  "epic",      "exciting",
    "fearless",  "festive",   "fervent",   "focused",   "fond",      "frosty",    "funny",
    "gallant",   "gentle",    "gifted",    "gleeful",   "glowing",   "goofy",     "graceful",
    "happy",     "hardy",     "hopeful",   "humble",    "hungry",    "inspiring", "jolly",
    "jovial",    "keen",      "kind",      "laughing",  "lively",    "loving",    "lucid",
    "lucky",     "magical",   "merry",     "mellow",    "mighty",    "modest",    "musing",
    "mystic",    "nifty",     "noble",     "nimble",    "optimistic","patient",   "peaceful",
    "pensive",   "playful",   "plucky",    "polite",    "practical", "proud",     "quiet",
    "quirky",    "radiant",   "relaxed",   "resolute",  "romantic",  "serene",    "sharp",
    "shiny",     "silly",     "sleepy",    "smart",     "snappy",    "spirited",  "stoic",
    "sturdy",    "sunny",     "swift",     "tender",    "thirsty",   "thoughtful","tidy",
    "trusting",  "upbeat",    "valiant",   "vibrant",   "vigilant",  "vivid",     "warm",
    "whimsical", "wise",      "witty",     "wonderful", "youthful",  "zealous",   "zen",
};

constexpr std::array kSurnames{
    "agnesi",     "allen",      "archimedes", "babbage",    "backus",     "bardeen",
    "bartik",     "bell",       "bernoulli",  "blackwell",  "bohr",       "boole",
    "borg",       "brahe",      "cannon",     "cantor",     "carson",     "cerf",
    "chandra",    "church",     "clarke",     "conway",     "copernicus", "cori",
    "cray",       "curie",      "darwin",     "dijkstra",   "dirac",      "easley",
    "einstein",   "elion",      "engelbart",  "euclid",     "euler",      "faraday",
    "fermat",     "fermi",      "feynman",    "franklin",   "galileo",    "gauss",
    "germain",    "goldberg",   "goodall",    "hamilton",   "hawking",    "heisenberg",
    "hertz",      "hilbert",    "hodgkin",    "hopper",     "hypatia",    "jackson",
    "jemison",    "johnson",    "joule",      "kalam",      "kepler",     "khorana",
    "knuth",      "kowalevski", "lamarr",     "lamport",    "leakey",     "leavitt",
    "lovelace",   "margulis",   "maxwell",    "mayer",      "mcclintock", "meitner",
    "mendel",     "minsky",     "mirzakhani", "morse",      "napier",     "nash",
    "newton",     "nightingale","nobel",      "noether",    "ohm",        "pascal",
    "pasteur",    "payne",      "perlman",    "planck",     "poincare",   "ptolemy",
    "raman",      "ramanujan",  "ritchie",    "rosalind",   "rubin",      "sagan",
    "shannon",    "shockley",   "somerville", "stallman",   "swanson",    "tesla",
    "thompson",   "torvalds",   "turing",     "varahamihira","volta",     "wescoff",
    "wiles",      "wilson",     "wing",       "wozniak",    "wright",     "yalow",
    "yonath",     "zuse",
};

bool name_char(char c, bool first) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    return alnum || (!first && (c == '_' || c == '.' || c == '-'));
}

}  // namespace

Result<std::string> validate_container_name(std::string_view name) {
    if (name.starts_with('/')) name.remove_prefix(1);
    bool ok = name.size() >= 2;
    for (std::size_t i = 0; ok && i < name.size(); ++i) ok = name_char(name[i], i == 0);
    if (!ok)
        return fail_as(ErrorKind::invalid_argument,
                       cat("Invalid container name (", name, "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"));
    return std::string(name);
}

std::string generate_container_name(const std::function<bool(const std::string&)>& taken) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::uniform_int_distribution<std::size_t> adj(0, kAdjectives.size() - 1);
    std::uniform_int_distribution<std::size_t> sur(0, kSurnames.size() - 1);
    std::uniform_int_distribution<int> digit(0, 9);
    for (int attempt = 0;; ++attempt) {
        std::string name = cat(kAdjectives[adj(rng)], "_", kSurnames[sur(rng)]);
        if (attempt >= 3) name += std::to_string(digit(rng));
        if (!taken(name)) return name;
    }
}

}  // namespace berth::engine
