// pipeline/cli.h
//
// The `crmstream` command line: subcommands run, broker, demo, state dump, fit,
// reset, each with --help; --version; --log-level and --log-format. Exit
// codes: 0 ok, 1 runtime failure, 2 bad usage (an unknown option value
// included) or bad config. main() wires process-wide pieces (environment, broker
// socket hooks) and calls RunCli; nothing here reads globals.
#pragma once

#include "pipeline/cli_context.h"

namespace crm::pipeline {

int RunCli(int argc, char** argv, const CliContext& context);

}  // namespace crm::pipeline
