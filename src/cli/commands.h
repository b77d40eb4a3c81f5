// SPDX-License-Identifier: MIT
#pragma once

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include <optional>

namespace Clickscope::Cli {

// Exit codes shared by every command.
enum ExitCode { kExitOk = 0, kExitStreamError = 1, kExitUsage = 2 };

// Each command takes its own arguments (the first is the command's name) and returns the
// process exit code. Commands that stream run the application's event loop themselves.
int runListen(const QStringList &arguments);
int runBench(const QStringList &arguments);
int runServe(const QStringList &arguments);
int runWatch(const QStringList &arguments);
int runCheck(const QStringList &arguments);
int runInspect(const QStringList &arguments);
int runRecord(const QStringList &arguments);
int runReplay(const QStringList &arguments);
int runImport(const QStringList &arguments);
int runPublish(const QStringList &arguments);

// Parses `arguments` with the --help and --version every command has. Returns an exit code when
// the command must stop here (help or version printed, or a usage error reported). `usage` is the
// synopsis after "clickscope-cli", e.g. "listen [options] URL".
std::optional<int> parseCommandLine(QCommandLineParser &parser, const QStringList &arguments, const QString &command,
                                    const QString &usage);

// Prints "clickscope-cli COMMAND: MESSAGE" on stderr and returns kExitUsage.
int usageError(const QString &command, const QString &message);

}   // namespace Clickscope::Cli
