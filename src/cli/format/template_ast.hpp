// The parsed form of a template (internal to cli/format): a tree of text, actions
// and control nodes, each remembering its offset in the source for error messages.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace berth::cli::tmpl {

struct Pipeline;

// One argument of a command: `.A.B`, `$x.A`, `.`, `printf`, `"lit"`, `(pipe).A`.
struct Operand {
    enum class Kind { Dot, Field, Variable, Function, Literal, Nil, Sub };
    Kind kind = Kind::Dot;
    std::string name;                 // function or variable name ("$", "$x")
    std::vector<std::string> fields;  // field chain applied to the base value
    nlohmann::json literal;           // Literal's value
    std::shared_ptr<Pipeline> sub;    // Sub's parenthesised pipeline
    size_t pos = 0;                   // source offset, for errors
    std::string text;                 // source text, for errors
};

struct Command {
    std::vector<Operand> args;
    size_t pos = 0;
};

// `$k, $v := cmd | cmd`: declared (or assigned) variables, then commands.
struct Pipeline {
    std::vector<std::string> vars;
    bool declare = true;  // := rather than =
    std::vector<Command> cmds;
    size_t pos = 0;
};

struct Node {
    enum class Kind { Text, Action, If, Range, With, Break, Continue };
    Kind kind = Kind::Text;
    std::string text;  // Text's content
    Pipeline pipe;
    std::vector<Node> body, else_body;
};

struct Ast {
    std::string source;
    std::vector<Node> root;
};

// Whether `name` is a function templates may call (the parser rejects others).
bool is_function(std::string_view name);

}  // namespace berth::cli::tmpl
