// SPDX-License-Identifier: MIT
#pragma once

#include "core/xray/connectionlog.h"
#include "core/xray/diagnosis.h"

#include <QMap>
#include <QObject>
#include <QTimer>

#include <cstdio>

namespace Clickscope::Cli {

// Prints a stream's X-ray as it happens, one JSON line per step: each `attempt`, each `response`
// head (secrets masked), each attempt's `end`, a `finding` when one first shows (and again when
// one that had passed comes back), and a `summary` at the end. What `inspect` prints, and what
// `listen --xray FILE` writes beside the events.
class XrayPrinter : public QObject
{
public:
    // How often findings that need no new data (a silence) are looked for.
    static constexpr int kDiagnoseEveryMs = 500;

    XrayPrinter(StreamSource &source, std::FILE *out, QObject *parent = nullptr);

    // The last findings, then the summary line.
    void printSummary();
    // Every line was written.
    bool ok() const { return m_ok; }
    const ConnectionLog &log() const { return m_log; }

private:
    void print(QJsonObject line, const char *kind);
    void diagnoseNow();

    StreamSource &m_source;
    ConnectionLog m_log;
    std::FILE *m_out;
    bool m_ok = true;
    QMap<Finding::Kind, bool> m_shown;   // kind → ongoing when last printed
    QTimer m_diagnosing;
};

}   // namespace Clickscope::Cli
