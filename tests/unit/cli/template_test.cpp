#include "cli/format/template.hpp"

#include <gtest/gtest.h>

namespace berth::cli {
namespace {

using nlohmann::json;

// Expected strings are what docker 28 printed for the same templates (docker
// version/inspect --format against a real daemon), or Go's documented rules.
std::string render(std::string_view text, const json& data) {
    auto t = parse_template(text);
    if (!t) return "PARSE ERROR: " + t.error().message;
    auto r = t->render(data);
    return r ? *r : "EXEC ERROR: " + r.error().message;
}

const json kVolume = json::parse(R"({"Name":"v1","Scope":"local","Labels":{"b":"2","a":"1"},
  "Options":{"type":"tmpfs","device":"tmpfs"},"Env":["A=1","B=2"],"Size":1234,"Ratio":1.5,"None":null,
  "Config":{"Env":["X=1"]},"Empty":[]})");

TEST(Template, PrintsFieldsAndNestedFields) {
    EXPECT_EQ(render("{{.Name}}/{{.Config.Env}}", kVolume), "v1/[X=1]");
}

TEST(Template, PrintsArraysMapsNumbersAndNullGoStyle) {
    EXPECT_EQ(render("{{.Env}} {{.Options}} {{.Size}} {{.Ratio}} {{.None}}", kVolume),
              "[A=1 B=2] map[device:tmpfs type:tmpfs] 1234 1.5 <nil>");
}

TEST(Template, JsonFunctionIsCompact) {
    EXPECT_EQ(render("{{json .Labels}}|{{json .Name}}", kVolume), R"({"a":"1","b":"2"}|"v1")");
}

TEST(Template, IndexOnMissingKeyIsEmpty) {
    EXPECT_EQ(render(R"({{index .Labels "a"}}|{{index .Labels "zz"}}|{{index .Env 1}})", kVolume), "1||B=2");
}

TEST(Template, MissingFieldFailsLikeDockersRawInspect) {
    EXPECT_EQ(render("{{.Labels}}|{{.Foo}}", kVolume),
              "EXEC ERROR: template: :1:14: executing \"\" at <.Foo>: map has no entry for key \"Foo\"");
}

TEST(Template, MissingNestedFieldNamesTheFailingSegment) {
    EXPECT_EQ(render("{{.Config.Foo}}", kVolume),
              "EXEC ERROR: template: :1:9: executing \"\" at <.Config.Foo>: map has no entry for key \"Foo\"");
}

TEST(Template, TextFunctions) {
    EXPECT_EQ(render(R"({{upper .Name}} {{lower "AB"}} {{title "hello big world"}} {{truncate .Scope 3}} {{join .Env ","}})", kVolume),
              "V1 ab Hello Big World loc A=1,B=2");
}

TEST(Template, PrintfVerbsMatchGo) {
    // docker version --format '{{printf "%d|%5s|%-4s|%x|%v|%q" 3 "ab" "c" 255 .Client.Os .Client.Os}}'
    EXPECT_EQ(render(R"({{printf "%d|%5s|%-4s|%x|%v|%q" 3 "ab" "c" 255 .Scope .Scope}})", kVolume),
              "3|   ab|c   |ff|local|\"local\"");
}

TEST(Template, PrintfReportsWrongAndMissingArgumentsInline) {
    EXPECT_EQ(render(R"({{printf "%d %s" "x"}})", kVolume), "%!d(string=x) %!s(MISSING)");
}

TEST(Template, PipelinesFeedTheLastArgument) {
    EXPECT_EQ(render(R"({{json .Scope}}{{.Scope | upper | printf "%s!"}})", kVolume), "\"local\"LOCAL!");
}

TEST(Template, TrimMarkersEatAdjacentSpace) {
    // docker version --format '{{- " a " -}}  x  {{- 1 }}  {{2 -}} ' printed " a x1  2".
    EXPECT_EQ(render(R"({{- " a " -}}  x  {{- 1 }}  {{2 -}} )", kVolume), " a x1  2");
}

TEST(Template, RangeOverArrayAndMapWithVariables) {
    EXPECT_EQ(render("{{range .Env}}<{{.}}>{{end}} {{range $k, $v := .Labels}}{{$k}}={{$v}};{{end}}", kVolume),
              "<A=1><B=2> a=1;b=2;");
}

TEST(Template, RangeElseRunsForEmptyList) {
    EXPECT_EQ(render("{{range .Empty}}x{{else}}none{{end}}", kVolume), "none");
}

TEST(Template, IfElseIfElse) {
    EXPECT_EQ(render(R"({{if .Empty}}a{{else if eq .Name "v1"}}b{{else}}c{{end}})", kVolume), "b");
    EXPECT_EQ(render(R"({{if and .Name (gt .Size 1000)}}big{{end}})", kVolume), "big");
}

TEST(Template, WithChangesDot) {
    EXPECT_EQ(render("{{with .Config}}{{.Env}}{{end}}", kVolume), "[X=1]");
}

TEST(Template, VariablesAndLen) {
    EXPECT_EQ(render("{{$n := len .Env}}{{$n}} {{$.Name}}", kVolume), "2 v1");
}

TEST(Template, ParseErrorsReadLikeGo) {
    auto err = [](std::string_view text) {
        auto t = parse_template(text);
        return t ? std::string("parsed") : t.error().message;
    };
    EXPECT_EQ(err("{{.Client.Version"), "template: :1: unclosed action");
    EXPECT_EQ(err("{{}}"), "template: :1: missing value for command");
    EXPECT_EQ(err("{{foo .X}}"), "template: :1: function \"foo\" not defined");
    EXPECT_EQ(err("{{if .X}}"), "template: :1: unexpected EOF");
    EXPECT_EQ(err("{{end}}"), "template: :1: unexpected {{end}}");
    EXPECT_EQ(err("{{.X}"), "template: :1: bad character U+007D '}'");
    EXPECT_EQ(err("{{range .X}}{{else}}{{else}}{{end}}"), "template: :1: expected end; found {{else}}");
    EXPECT_EQ(err("{{\"abc}}"), "template: :1: unterminated quoted string");
}

TEST(Template, WrongArgumentCountIsAnExecutionError) {
    EXPECT_EQ(render("{{index}}", kVolume),
              "EXEC ERROR: template: :1:2: executing \"\" at <index>: wrong number of args for index: want at least 1 got 0");
}

TEST(Template, HeaderModePrintsNoValueAndSkipsTextFunctions) {
    auto t = parse_template("{{upper .ID}}|{{.Missing}}");
    ASSERT_TRUE(t);
    auto r = t->render(json{{"ID", "IMAGE ID"}}, {.header = true});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, "IMAGE ID|<no value>");
}

}  // namespace
}  // namespace berth::cli

namespace berth::cli {
namespace {

// docker's ps rows have a Label method; berth's rows hold the labels as a map the
// template looks the argument up in.
TEST(Template, FieldHoldingAMapTakesAKeyArgument) {
    EXPECT_EQ(render(R"({{.Labels "a"}}|{{.Labels "none"}})", kVolume), "1|");
    EXPECT_EQ(render(R"({{.Name "a"}})", kVolume).substr(0, 11), "EXEC ERROR:");
}

}  // namespace
}  // namespace berth::cli
