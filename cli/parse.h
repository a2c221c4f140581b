#pragma once
// Command-line parsing shared by the `gos` subcommands that take options plus
// one positional argument (an experiment FILE, a MODEL name).
#include <boost/program_options.hpp>
#include <string>

#include "cli/commands.h"

namespace gos::cli {

// Adds --help to `options`, parses `args` with one positional argument stored
// in `positional_value`. With --help, prints `usage`, a blank line and the
// options, and returns false; help is checked before required options are,
// so `--help` always works. Otherwise checks required options and returns
// true; the caller decides whether an empty positional value is an error.
bool parse_command_line(const Args& args, boost::program_options::options_description& options,
                        const char* positional_name, std::string& positional_value, const std::string& usage);

// The one overwrite rule of the CLI: a command never replaces a file that
// holds results (runs, tables, datasets, predictors) unless --overwrite is
// given; views remade from such files (reports, SVG plots, DOT) are
// rewritten. Throws gos::Error naming the file and the flag.
void refuse_to_replace(const std::string& output, bool overwrite);

// A number as a default in --help: the shortest text that reads back the
// same (0.05, not Boost's 0.050000000000000003).
std::string shortest(double value);

// A Boost.Program_options error in GOS's words ("unknown option '--sed'; did
// you mean '--seed'?"), naming valid options when `options` is given.
std::string describe_usage_error(const boost::program_options::error& error,
                                 const boost::program_options::options_description* options = nullptr);

}  // namespace gos::cli
