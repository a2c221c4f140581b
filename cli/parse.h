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

}  // namespace gos::cli
