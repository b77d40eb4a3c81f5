// SPDX-License-Identifier: MIT
#include "app/streamstatus.h"

#include "app/plaintooltip.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QStyle>
#include <QToolButton>

namespace Clickscope {

namespace {

QString bytesPerSecondText(double bytes)
{
    const QLocale locale;
    return locale.formattedDataSize(qint64(bytes), 1, QLocale::DataSizeSIFormat) + QObject::tr("/s");
}

}   // namespace

StreamStatus::StreamStatus(QWidget *parent)
    : QWidget(parent)
    , m_state(new QLabel(this))
    , m_throughput(new QLabel(this))
    , m_lastByte(new QLabel(this))
    , m_paused(new QLabel(this))
    , m_xrayMarker(new QToolButton(this))
    , m_clock(this)
{
    m_xrayMarker->setObjectName(QStringLiteral("xrayMarker"));
    m_xrayMarker->setAutoRaise(true);
    m_xrayMarker->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_xrayMarker->hide();
    connect(m_xrayMarker, &QToolButton::clicked, this, &StreamStatus::xrayMarkerClicked);
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(18);
    m_state->setObjectName(QStringLiteral("streamStateLabel"));
    m_throughput->setObjectName(QStringLiteral("throughputLabel"));
    m_lastByte->setObjectName(QStringLiteral("lastByteLabel"));
    m_paused->setObjectName(QStringLiteral("pausedLabel"));
    m_paused->setStyleSheet(QStringLiteral("font-weight: bold;"));
    m_paused->hide();
    m_state->setTextFormat(Qt::PlainText);
    layout->addWidget(m_state, 1);
    layout->addWidget(m_xrayMarker);
    layout->addWidget(m_paused);
    layout->addWidget(m_throughput);
    layout->addWidget(m_lastByte);
    m_clock.setInterval(250);
    connect(&m_clock, &QTimer::timeout, this, &StreamStatus::refresh);
    m_clock.start();
    setIdle(tr("Not connected"));
}

void StreamStatus::setState(const QString &text, const QString &toolTip, const QColor &color)
{
    // The clock calls this four times a second: only a change may cost a repaint.
    setText(m_state, text);
    if (const QString tip = plainToolTip(toolTip); m_state->toolTip() != tip)
        m_state->setToolTip(tip);
    if (!color.isValid()) {
        // Back to the inherited palette, so a theme switch recolours the text.
        if (m_state->palette().resolveMask() != 0)
            m_state->setPalette(QPalette());
    } else if (m_state->palette().color(QPalette::WindowText) != color) {
        QPalette p = m_state->palette();
        p.setColor(QPalette::WindowText, color);
        m_state->setPalette(p);
    }
}

void StreamStatus::setText(QLabel *label, const QString &text)
{
    if (label->text() != text)
        label->setText(text);
}

void StreamStatus::setIdle(const QString &text)
{
    m_retryDelayMs = -1;
    m_connectingSince.invalidate();
    setState(text, {}, {});
    m_bytesPerSecond = m_eventsPerSecond = 0;
    refresh();
}

void StreamStatus::setConnecting(const QUrl &url, int timeoutMs)
{
    m_url = url;
    m_retryDelayMs = -1;
    m_connectTimeoutMs = timeoutMs;
    m_connectingSince.start();
    refresh();
}

void StreamStatus::setOpen(const QUrl &url)
{
    m_url = url;
    m_retryDelayMs = -1;
    m_connectingSince.invalidate();
    setState(tr("Open: %1").arg(shownUrl(url)), shownUrl(url), QColor(0x27, 0xae, 0x60));
}

void StreamStatus::setRetrying(qint64 delayMs, const QString &reason)
{
    m_connectingSince.invalidate();
    m_retryDelayMs = std::max<qint64>(delayMs, 0);
    m_retryReason = reason;
    m_retryTimer.start();
    refresh();
}

void StreamStatus::setClosed(const QString &error, const QString &endReason)
{
    m_retryDelayMs = -1;
    m_connectingSince.invalidate();
    if (error.isEmpty() && !endReason.isEmpty())
        setState(tr("Closed: %1").arg(endReason), shownUrl(m_url), {});
    else if (error.isEmpty())
        setState(tr("Closed"), shownUrl(m_url), {});
    else
        setState(tr("Closed: %1").arg(error), error, QColor(0xc0, 0x39, 0x2b));
    m_bytesPerSecond = m_eventsPerSecond = 0;
    refresh();
}

void StreamStatus::forgetRates()
{
    m_sampleMs = 0;
    m_bytesPerSecond = 0;
    m_eventsPerSecond = 0;
    m_lastByteMs = 0;
    m_recordedClockMs = 0;
    refresh();
}

void StreamStatus::applySnapshot(const DashboardSnapshot &snapshot)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    m_lastByteMs = snapshot.lastByteMs;
    m_recordedClockMs = snapshot.recordedClock ? snapshot.clockMs : 0;
    const quint64 bytes = snapshot.totals.bytes;
    const quint64 events = snapshot.totals.events;
    if (m_sampleMs == 0 || bytes < m_sampleBytes || events < m_sampleEvents) {   // first, or reset
        m_sampleMs = now;
        m_sampleBytes = bytes;
        m_sampleEvents = events;
        return;
    }
    if (const qint64 elapsed = now - m_sampleMs; elapsed >= 1000) {
        m_bytesPerSecond = double(bytes - m_sampleBytes) * 1000.0 / double(elapsed);
        m_eventsPerSecond = double(events - m_sampleEvents) * 1000.0 / double(elapsed);
        m_sampleMs = now;
        m_sampleBytes = bytes;
        m_sampleEvents = events;
        refresh();
    }
}

void StreamStatus::refresh()
{
    if (m_connectingSince.isValid()) {
        const qint64 seconds = m_connectingSince.elapsed() / 1000;
        QString text = tr("Connecting to %1…").arg(shownUrl(m_url));
        if (seconds >= 1) {
            text += m_connectTimeoutMs > 0
                        ? tr(" %1 s (times out at %2 s)").arg(seconds).arg(m_connectTimeoutMs / 1000.0)
                        : tr(" %1 s").arg(seconds);
        }
        setState(text, shownUrl(m_url), QColor(0xd4, 0x8a, 0x0d));
    } else if (m_retryDelayMs >= 0) {
        const qint64 leftMs = m_retryDelayMs - m_retryTimer.elapsed();
        // Once the delay is over the attempt is under way; after a second, how long it has waited.
        QString text;
        if (leftMs > 0)
            text = tr("Retrying in %1 s: %2").arg(double(leftMs) / 1000.0, 0, 'f', 1).arg(m_retryReason);
        else if (-leftMs < 1000)
            text = tr("Reconnecting to %1… (%2)").arg(shownUrl(m_url), m_retryReason);
        else
            text = tr("Reconnecting to %1… %2 s (%3)").arg(shownUrl(m_url)).arg(-leftMs / 1000).arg(m_retryReason);
        setState(text, m_retryReason, QColor(0xd4, 0x8a, 0x0d));
    }
    const QLocale locale;
    setText(
        m_throughput,
        tr("%1 · %2 events/s").arg(bytesPerSecondText(m_bytesPerSecond), locale.toString(m_eventsPerSecond, 'f', 0)));
    if (m_lastByteMs <= 0) {
        setText(m_lastByte, tr("no data yet"));
    } else {
        // A replay's bytes came at the recording's times: its age is in the recording's time too.
        const qint64 now = m_recordedClockMs > 0 ? m_recordedClockMs : QDateTime::currentMSecsSinceEpoch();
        const double age = double(std::max<qint64>(0, now - m_lastByteMs)) / 1000.0;
        setText(m_lastByte, age < 1 ? tr("last byte < 1 s ago") : tr("last byte %1 s ago").arg(age, 0, 'f', 0));
    }
}

void StreamStatus::setXray(const XraySnapshot *xray)
{
    // Only what deserves a look: warnings, errors and failed checks; the panel has the rest.
    QStringList parts;
    QStringList tips;
    Finding::Severity worst = Finding::Severity::Info;
    int findings = 0;
    if (xray) {
        for (const Finding &finding : xray->findings) {
            if (finding.severity == Finding::Severity::Info)
                continue;
            ++findings;
            worst = std::max(worst, finding.severity);
            tips << finding.statement;
        }
        int failed = 0;
        for (qsizetype i = 0; i < xray->checks.size(); ++i) {
            if (xray->outcomes[i].state == StreamCheck::State::Failed) {
                ++failed;
                tips << tr("check failed: %1 (%2)").arg(xray->checks[i].text(), xray->outcomes[i].measured);
            }
        }
        if (findings > 0)
            parts << (findings == 1 ? Finding::nameOf(xray->findings.first().kind).replace(u'-', u' ')
                                    : tr("%1 findings").arg(findings));
        if (failed > 0) {
            parts << (failed == 1 ? tr("1 check failed") : tr("%1 checks failed").arg(failed));
            worst = Finding::Severity::Error;
        }
    }
    m_xrayMarker->setVisible(!parts.isEmpty());
    if (parts.isEmpty())
        return;
    m_xrayMarker->setIcon(style()->standardIcon(worst == Finding::Severity::Error ? QStyle::SP_MessageBoxCritical
                                                                                  : QStyle::SP_MessageBoxWarning));
    m_xrayMarker->setText(parts.join(QStringLiteral(" · ")));
    m_xrayMarker->setToolTip(plainToolTip(tips.join(u'\n') + tr("\nClick to open the connection X-ray.")));
}

QString StreamStatus::xrayMarkerText() const { return m_xrayMarker->isVisible() ? m_xrayMarker->text() : QString(); }

QString StreamStatus::stateText() const { return m_state->text(); }

QString StreamStatus::throughputText() const { return m_throughput->text(); }

void StreamStatus::setPausedWaiting(qint64 waiting)
{
    m_paused->setVisible(waiting >= 0);
    if (waiting >= 0)
        setText(m_paused, tr("Paused: %1 events waiting").arg(QLocale().toString(waiting)));
}

QString StreamStatus::pausedText() const { return m_paused->isVisible() ? m_paused->text() : QString(); }

QString StreamStatus::lastByteText() const { return m_lastByte->text(); }

}   // namespace Clickscope
