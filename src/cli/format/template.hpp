// A subset of Go's text/template, enough for docker's `--format` flags: fields
// ({{.Config.Env}}), variables, pipelines, if/else/range/with, and the functions
// docker adds (json, join, split, upper, lower, title, truncate, pad) next to Go's
// (index, len, printf, print, println, eq, ne, lt, le, gt, ge, and, or, not).
//
// Data is JSON. A missing key fails the render the way docker does for both its
// formatter structs and `inspect`'s raw-JSON fallback (which runs with
// missingkey=error): `map has no entry for key "Foo"`. `index` on a missing key
// gives "" (docker's label maps are typed map[string]string). Values print as
// Go's fmt %v prints decoded JSON: arrays as [a b], objects as map[k:v] with keys
// sorted, integers without ".0", null as <nil>.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace berth::cli {

namespace tmpl {
struct Ast;
}

struct RenderOptions {
    // Docker's table-header pass: the template runs over the header-name map, a
    // missing key prints "<no value>", the text functions (json, upper, join, ...)
    // return their first argument unchanged, and an error stops output without
    // failing (docker ignores the header pass's error).
    bool header = false;
};

class Template {
  public:
    // Executes the template over `data` (the template's dot and $).
    // Errors read like Go's: `template: :1:14: executing "" at <.Foo>: map has no
    // entry for key "Foo"`.
    Result<std::string> render(const nlohmann::json& data, RenderOptions options = {}) const;

  private:
    friend Result<Template> parse_template(std::string_view text);
    std::shared_ptr<const tmpl::Ast> ast_;
};

// Parses template text. Errors read like Go's: `template: :1: unclosed action`,
// `template: :1: function "foo" not defined`.
Result<Template> parse_template(std::string_view text);

}  // namespace berth::cli
