// SPDX-License-Identifier: MIT
#pragma once

#include "core/compare/eventmatcher.h"
#include "core/result.h"

#include <QCommandLineOption>
#include <QCommandLineParser>

namespace Clickscope::Cli {

// How two streams' clicks are paired, as `watch --compare` and `check --expect same-events` take
// it: --compare-key, --compare-window, --compare-settle.
class CompareFlags
{
public:
    CompareFlags();

    void addTo(QCommandLineParser &parser) const;
    // The settings the flags give; a usage message when one is wrong.
    Result<EventMatcher::Settings> read(const QCommandLineParser &parser) const;
    // One of the flags was given.
    bool anySet(const QCommandLineParser &parser) const;
    // "--compare-key, --compare-window and --compare-settle", for messages.
    static QString names();

private:
    QCommandLineOption m_key;
    QCommandLineOption m_window;
    QCommandLineOption m_settle;
};

}   // namespace Clickscope::Cli
