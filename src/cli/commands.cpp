// SPDX-License-Identifier: MIT
#include "cli/commands.h"

#include <QCoreApplication>

#include <cstdio>

namespace Clickscope::Cli {

int usageError(const QString &command, const QString &message)
{
    std::fprintf(stderr, "clickscope-cli %s: %s\n", qPrintable(command), qPrintable(message));
    return kExitUsage;
}

std::optional<int> parseCommandLine(QCommandLineParser &parser, const QStringList &arguments, const QString &command,
                                    const QString &usage)
{
    const QCommandLineOption help({QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help."));
    const QCommandLineOption version(QStringLiteral("version"), QStringLiteral("Show the version."));
    parser.addOption(help);
    parser.addOption(version);
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    if (!parser.parse(arguments))
        return usageError(command, parser.errorText());
    if (parser.isSet(help)) {
        // Qt's first line names the binary's path; ours names the command as it is typed.
        QString text = parser.helpText();
        text = QStringLiteral("Usage: clickscope-cli %1\n").arg(usage) + text.mid(text.indexOf(u'\n') + 1);
        std::fputs(qPrintable(text), stdout);
        return kExitOk;
    }
    if (parser.isSet(version)) {
        std::printf("clickscope-cli %s\n", qPrintable(QCoreApplication::applicationVersion()));
        return kExitOk;
    }
    return std::nullopt;
}

}   // namespace Clickscope::Cli
