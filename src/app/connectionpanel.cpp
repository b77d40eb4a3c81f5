// SPDX-License-Identifier: MIT
#include "app/connectionpanel.h"

#include "app/connectiontimeline.h"
#include "app/plaintooltip.h"

#include <QApplication>
#include <QFontDatabase>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSignalBlocker>
#include <QSplitter>
#include <QStyle>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace Clickscope {
namespace {

enum Column { Number, Started, Status, OpenFor, Events, Beats, Silence, Ended, ColumnCount };

QString duration(qint64 ms)
{
    if (ms < 1000)
        return QStringLiteral("%1 ms").arg(ms);
    if (ms < 60'000)
        return QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'f', 1);
    const qint64 s = ms / 1000;
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

constexpr const char *kPassColour = "#2e9d57";
constexpr const char *kFailColour = "#d64541";
constexpr const char *kWarnColour = "#d9a400";
constexpr const char *kPendingColour = "#8a8a8a";

QString statusOf(const ConnectionAttempt &attempt)
{
    // A bus (Redis, NATS) answers without HTTP: what it said is that it opened.
    if (attempt.exchanges.isEmpty())
        return attempt.openedMs ? QObject::tr("opened")
               : attempt.ended  ? QObject::tr("no answer")
                                : QObject::tr("connecting");
    QStringList hops;
    for (const HttpExchange &exchange : attempt.exchanges)
        hops << QString::number(exchange.status);
    return hops.join(QStringLiteral(" → "));
}

void appendHeaders(QString &out, const QJsonObject &headers)
{
    for (auto it = headers.constBegin(); it != headers.constEnd(); ++it)
        out += QStringLiteral("    %1: %2\n").arg(it.key(), it.value().toString());
}

}   // namespace

ConnectionPanel::ConnectionPanel(QWidget *parent)
    : QWidget(parent)
    , m_checks(new QLabel(this))
    , m_findings(new QTextBrowser(this))
    , m_timeline(new ConnectionTimeline(this))
    , m_attempts(new QTableWidget(0, ColumnCount, this))
    , m_heads(new QPlainTextEdit(this))
{
    setObjectName(QStringLiteral("connectionPanel"));
    m_checks->setObjectName(QStringLiteral("checksLabel"));
    m_checks->setTextFormat(Qt::RichText);
    m_checks->setWordWrap(true);
    m_checks->hide();
    m_findings->setObjectName(QStringLiteral("findingsView"));
    m_findings->setOpenLinks(false);
    m_attempts->setObjectName(QStringLiteral("attemptsTable"));
    m_attempts->setHorizontalHeaderLabels(
        {tr("#"), tr("Start"), tr("Status"), tr("Open"), tr("Events"), tr("Beats"), tr("Silence"), tr("End")});
    m_attempts->horizontalHeaderItem(Started)->setToolTip(tr("When the attempt began, since the stream was opened"));
    m_attempts->horizontalHeaderItem(OpenFor)->setToolTip(tr("How long the connection was open"));
    m_attempts->horizontalHeaderItem(Beats)->setToolTip(tr("Heartbeats (comment lines) and their mean interval"));
    m_attempts->horizontalHeaderItem(Silence)->setToolTip(tr("The longest wait for a byte while it was open"));
    m_attempts->verticalHeader()->hide();
    m_attempts->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_attempts->setSelectionMode(QAbstractItemView::SingleSelection);
    m_attempts->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_attempts->setWordWrap(false);   // one line per attempt; the full reason is in the tooltip
    m_attempts->horizontalHeader()->setStretchLastSection(true);
    m_attempts->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_attempts->horizontalHeader()->setSectionResizeMode(Ended, QHeaderView::Stretch);
    m_heads->setObjectName(QStringLiteral("headsText"));
    m_heads->setReadOnly(true);
    m_heads->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_heads->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_heads->setPlaceholderText(tr("Select an attempt to see the request it sent and the response head it got."));

    auto *details = new QSplitter(Qt::Vertical, this);
    details->addWidget(m_attempts);
    details->addWidget(m_heads);
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->setObjectName(QStringLiteral("connectionSplitter"));
    splitter->addWidget(m_findings);
    splitter->addWidget(m_timeline);
    splitter->addWidget(details);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 0);
    splitter->setStretchFactor(2, 3);
    splitter->setCollapsible(1, false);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_checks);
    layout->addWidget(splitter, 1);

    connect(m_attempts, &QTableWidget::itemSelectionChanged, this, [this] {
        const QList<QTableWidgetItem *> selected = m_attempts->selectedItems();
        m_selectedAttempt = selected.isEmpty()
                                ? 0
                                : m_attempts->item(selected.first()->row(), Number)->data(Qt::UserRole).toULongLong();
        showSelectedHeads();
    });
    clear();
}

void ConnectionPanel::setXray(XraySnapshotPtr xray)
{
    m_xray = std::move(xray);
    m_timeline->setXray(m_xray);
    showChecks();
    showFindings();
    showAttempts();
    showSelectedHeads();
}

void ConnectionPanel::clear()
{
    m_selectedAttempt = 0;
    setXray(nullptr);
}

void ConnectionPanel::selectAttempt(quint64 number)
{
    for (int row = 0; row < m_attempts->rowCount(); ++row) {
        if (m_attempts->item(row, Number)->data(Qt::UserRole).toULongLong() == number)
            m_attempts->selectRow(row);
    }
}

QString ConnectionPanel::checksText() const { return m_checks->isHidden() ? QString() : m_checks->text(); }

QStringList ConnectionPanel::findingTexts() const { return m_findingTexts; }

int ConnectionPanel::attemptRows() const { return m_attempts->rowCount(); }

QString ConnectionPanel::headersText() const { return m_heads->toPlainText(); }

void ConnectionPanel::showChecks()
{
    if (!m_xray || m_xray->checks.isEmpty()) {
        m_checks->hide();
        return;
    }
    QStringList lights;
    for (qsizetype i = 0; i < m_xray->checks.size(); ++i) {
        const StreamCheck::Outcome &outcome = m_xray->outcomes[i];
        const char *colour = outcome.state == StreamCheck::State::Passed   ? kPassColour
                             : outcome.state == StreamCheck::State::Failed ? kFailColour
                                                                           : kPendingColour;
        const QString word = outcome.state == StreamCheck::State::Passed   ? tr("pass")
                             : outcome.state == StreamCheck::State::Failed ? tr("fail")
                                                                           : tr("pending");
        lights << QStringLiteral("<span style=\"color:%1\">●</span>&nbsp;<b>%2</b>&nbsp;%3%4")
                      .arg(QLatin1String(colour), m_xray->checks[i].text().toHtmlEscaped(), word,
                           outcome.measured.isEmpty() ? QString()
                                                      : QStringLiteral(" (%1)").arg(outcome.measured.toHtmlEscaped()));
    }
    m_checks->setText(lights.join(QStringLiteral(" &nbsp;&nbsp; ")));
    m_checks->show();
}

void ConnectionPanel::showFindings()
{
    m_findingTexts.clear();
    QString html;
    if (!m_xray) {
        html = tr("<p>No stream yet.</p>");
    } else if (m_xray->findings.isEmpty()) {
        html = QStringLiteral("<p><span style=\"color:%1\">✔</span> %2</p>")
                   .arg(QLatin1String(kPassColour),
                        tr("No findings: nothing unusual in how this stream is delivered so far."));
    }
    for (const Finding &finding : m_xray ? m_xray->findings : QList<Finding>()) {
        const QString text = finding.ongoing ? finding.statement : tr("%1 (earlier, not now)").arg(finding.statement);
        m_findingTexts << text;
        const char *colour = finding.severity == Finding::Severity::Error     ? kFailColour
                             : finding.severity == Finding::Severity::Warning ? kWarnColour
                                                                              : kPendingColour;
        html += QStringLiteral("<p style=\"margin-bottom:2px\"><span style=\"color:%1\">%2</span> <b>%3</b>: %4</p>")
                    .arg(QLatin1String(colour),
                         finding.severity == Finding::Severity::Info ? QStringLiteral("ℹ") : QStringLiteral("▲"),
                         Finding::nameOf(finding.kind).toHtmlEscaped(), text.toHtmlEscaped());
        html += QStringLiteral("<ul style=\"margin-top:0px; margin-left:-20px\">");
        for (const QString &fact : finding.evidence)
            html += QStringLiteral("<li>%1</li>").arg(fact.toHtmlEscaped());
        html += QStringLiteral("</ul>");
    }
    if (html != m_findingsHtml) {   // a second's X-ray often says the same: keep the scroll position
        m_findingsHtml = html;
        m_findings->setHtml(html);
    }
}

void ConnectionPanel::showAttempts()
{
    const QSignalBlocker blocker(m_attempts);
    const QList<ConnectionAttempt> attempts = m_xray ? m_xray->attempts : QList<ConnectionAttempt>();
    m_attempts->setRowCount(int(attempts.size()));
    int selectedRow = -1;
    // Newest first: the one that matters now is at the top.
    for (qsizetype i = 0; i < attempts.size(); ++i) {
        const ConnectionAttempt &a = attempts[attempts.size() - 1 - i];
        const int row = int(i);
        const qint64 end = a.ended ? a.endedMs.value_or(0) : m_xray->nowMs - a.startedMs;
        // The silence still going on counts too: a stalled stream shows it growing.
        qint64 silence = a.longestSilenceMs;
        if (const std::optional<qint64> heard = a.lastHeardMs(); heard && !a.ended)
            silence = std::max(silence, m_xray->nowMs - *heard);
        const QStringList cells = {
            QString::number(a.number),
            duration(a.startedMs),
            statusOf(a),
            a.openedMs ? duration(end - *a.openedMs) : QStringLiteral("–"),
            QString::number(a.events),
            a.heartbeats.count ? tr("%1 · ~%2").arg(a.comments).arg(duration(a.heartbeats.meanMs()))
                               : QString::number(a.comments),
            a.openedMs ? duration(silence) : QStringLiteral("–"),
            a.ended ? a.endReason : tr("open"),
        };
        for (int column = 0; column < ColumnCount; ++column) {
            auto *item = new QTableWidgetItem(cells[column]);
            if (column == Ended)
                item->setToolTip(plainToolTip(cells[column]));
            m_attempts->setItem(row, column, item);
        }
        m_attempts->item(row, Number)->setData(Qt::UserRole, QVariant::fromValue(a.number));
        if (a.number == m_selectedAttempt)
            selectedRow = row;
    }
    if (selectedRow >= 0)
        m_attempts->selectRow(selectedRow);
}

void ConnectionPanel::showSelectedHeads()
{
    if (!m_xray || m_xray->attempts.isEmpty()) {
        m_heads->clear();
        return;
    }
    // The selected attempt, or the newest when none is.
    const ConnectionAttempt *shown = &m_xray->attempts.last();
    for (const ConnectionAttempt &attempt : m_xray->attempts) {
        if (attempt.number == m_selectedAttempt)
            shown = &attempt;
    }
    const QString text = headsOf(*shown);
    if (text != m_heads->toPlainText())
        m_heads->setPlainText(text);
}

QString ConnectionPanel::headsOf(const ConnectionAttempt &attempt)
{
    QString out = tr("Attempt %1").arg(attempt.number);
    if (attempt.lastEventIdSent)
        out += tr(", resuming after id %1").arg(QString::fromUtf8(*attempt.lastEventIdSent));
    out += u'\n';
    for (const HttpExchange &exchange : attempt.exchanges) {
        const QJsonObject shown = exchange.toJson();   // secrets masked
        out += QStringLiteral("→ %1 %2\n").arg(shown.value("method").toString(), shown.value("url").toString());
        appendHeaders(out, shown.value("requestHeaders").toObject());
        out += QStringLiteral("← %1 %2 %3   (%4)\n")
                   .arg(shown.value("version").toString())
                   .arg(exchange.status)
                   .arg(shown.value("reason").toString(), tr("head after %1").arg(duration(exchange.headMs)));
        appendHeaders(out, shown.value("responseHeaders").toObject());
    }
    QStringList facts;
    facts << tr("%1 bytes, %2 events, %3 comments").arg(attempt.bytes).arg(attempt.events).arg(attempt.comments);
    if (attempt.firstEventMs)
        facts << tr("first event after %1").arg(duration(*attempt.firstEventMs));
    if (attempt.heartbeats.count > 0)
        facts << tr("heartbeat intervals: last %1, mean %2, longest %3")
                     .arg(duration(attempt.heartbeats.lastMs), duration(attempt.heartbeats.meanMs()),
                          duration(attempt.heartbeats.maxMs));
    if (!attempt.firstId.isEmpty())
        facts << tr("ids %1 … %2").arg(QString::fromUtf8(attempt.firstId), QString::fromUtf8(attempt.lastId));
    if (attempt.ended)
        facts << tr("ended: %1").arg(attempt.endReason);
    if (attempt.serverRetryMs)
        facts << tr("the server's retry: %1").arg(duration(*attempt.serverRetryMs));
    if (attempt.nextDelayMs)
        facts << tr("next attempt after %1").arg(duration(*attempt.nextDelayMs));
    return out + facts.join(u'\n');
}

}   // namespace Clickscope
