// SPDX-License-Identifier: MIT
#include "cli/xrayprinter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace Clickscope::Cli {

XrayPrinter::XrayPrinter(StreamSource &source, std::FILE *out, QObject *parent)
    : QObject(parent)
    , m_source(source)
    , m_log(source)
    , m_out(out)
{
    connect(&m_log, &ConnectionLog::attemptStarted, this, [this](const ConnectionAttempt &attempt) {
        print({{QStringLiteral("attempt"), qint64(attempt.number)}, {QStringLiteral("startedMs"), attempt.startedMs}},
              "attempt");
    });
    connect(&m_log, &ConnectionLog::exchangeAdded, this,
            [this](const ConnectionAttempt &attempt, const HttpExchange &exchange) {
                QJsonObject line = exchange.toJson();
                line.insert(QStringLiteral("attempt"), qint64(attempt.number));
                print(line, "response");
                diagnoseNow();
            });
    connect(&m_log, &ConnectionLog::attemptEnded, this, [this](const ConnectionAttempt &attempt) {
        QJsonObject line = attempt.toJson();
        line.remove(QStringLiteral("exchanges"));   // already shown as they came
        print(line, "end");
        diagnoseNow();
    });
    connect(&m_diagnosing, &QTimer::timeout, this, &XrayPrinter::diagnoseNow);
    m_diagnosing.start(kDiagnoseEveryMs);
}

void XrayPrinter::print(QJsonObject line, const char *kind)
{
    line.insert(QStringLiteral("event"), QLatin1String(kind));
    const QByteArray out = QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
    m_ok = m_ok && std::fwrite(out.constData(), 1, size_t(out.size()), m_out) == size_t(out.size())
           && std::fflush(m_out) == 0;
}

void XrayPrinter::diagnoseNow()
{
    const QList<Finding> findings = diagnose(m_log);
    // One that passed entirely is printed again when it comes back.
    m_shown.removeIf([&findings](const auto &entry) { return !hasFinding(findings, entry.key()); });
    for (const Finding &finding : findings) {
        const auto it = m_shown.constFind(finding.kind);
        const bool printed = it != m_shown.cend() && (*it || !finding.ongoing);
        m_shown[finding.kind] = finding.ongoing;
        if (!printed)
            print(finding.toJson(), "finding");
    }
}

void XrayPrinter::printSummary()
{
    m_diagnosing.stop();
    diagnoseNow();
    QJsonObject summary{{QStringLiteral("attempts"), qint64(m_log.attemptCount())},
                        {QStringLiteral("events"), qint64(m_source.totalEvents())},
                        {QStringLiteral("bytes"), qint64(m_source.totalBytes())},
                        {QStringLiteral("reconnects"), qint64(m_source.reconnectCount())}};
    if (m_log.lastStatus())
        summary.insert(QStringLiteral("lastStatus"), *m_log.lastStatus());
    QJsonArray findings;
    for (const Finding &finding : diagnose(m_log))
        findings.append(finding.toJson());
    summary.insert(QStringLiteral("findings"), findings);
    print(summary, "summary");
}

}   // namespace Clickscope::Cli
