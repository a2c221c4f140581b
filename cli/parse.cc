#include "cli/parse.h"

#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "framework/error.h"
#include "framework/text.h"

namespace po = boost::program_options;

namespace gos::cli {

bool parse_command_line(const Args& args, po::options_description& options, const char* positional_name,
                        std::string& positional_value, const std::string& usage) {
  options.add_options()("help,h", po::bool_switch(), "show this help");
  po::options_description hidden;
  hidden.add_options()(positional_name, po::value(&positional_value));
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add(positional_name, 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    if (vm["help"].as<bool>()) {
      std::cout << usage << "\n" << options << "\n";
      return false;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw po::error(describe_usage_error(e, &options));
  }
  return true;
}

void refuse_to_replace(const std::string& output, bool overwrite) {
  if (overwrite || output.empty() || !std::filesystem::exists(output)) return;
  throw Error(fmt::format("'{}' already exists; pass --overwrite to replace it", output));
}

std::string shortest(double value) { return fmt::format("{}", value); }

std::string describe_usage_error(const po::error& error, const po::options_description* options) {
  std::vector<std::string> names;
  if (options)
    for (const auto& option : options->options()) names.push_back("--" + option->long_name());
  const std::string valid = names.empty() ? "" : "; options: " + join(names, ", ");
  if (const auto* e = dynamic_cast<const po::unknown_option*>(&error)) {
    const std::string name = e->get_option_name();
    return fmt::format("unknown option '{}'{}{}", name, did_you_mean(name, names), valid);
  }
  if (const auto* e = dynamic_cast<const po::invalid_option_value*>(&error)) {
    // Boost's text is "the argument ('abc') for option '--index' is invalid".
    const std::string text = error.what();
    const size_t open = text.find("('"), close = text.find("')");
    const std::string value = open != std::string::npos && close > open ? text.substr(open + 2, close - open - 2) : "";
    return fmt::format("option '{}' does not take the value '{}'; see --help for what it takes", e->get_option_name(),
                       value);
  }
  if (const auto* e = dynamic_cast<const po::required_option*>(&error))
    return fmt::format("option '{}' is required", e->get_option_name());
  if (const auto* e = dynamic_cast<const po::multiple_occurrences*>(&error))
    return fmt::format("option '{}' is given more than once; give it once", e->get_option_name());
  if (const auto* e = dynamic_cast<const po::invalid_command_line_syntax*>(&error)) {
    if (e->kind() == po::invalid_syntax::missing_parameter)
      return fmt::format("option '{}' needs a value", e->get_option_name());
    return fmt::format("option '{}': {}", e->get_option_name(), error.what());
  }
  if (dynamic_cast<const po::too_many_positional_options_error*>(&error))
    return "too many arguments; give one FILE (options start with --)";
  return error.what();
}

}  // namespace gos::cli
