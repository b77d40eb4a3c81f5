// SPDX-License-Identifier: MIT
#pragma once

#include "core/model/dashboardsnapshot.h"
#include "core/source/streamsource.h"

#include <QElapsedTimer>
#include <QTimer>
#include <QUrl>
#include <QWidget>

class QLabel;
class QToolButton;

namespace Clickscope {

// The status bar's live part: the connection state (connecting, open, retrying in N s with the
// reason, closed with the error), bytes/s and events/s, and the time since the stream last sent
// a byte, and a marker for the X-ray's warnings and failed checks. Rates come from the totals of snapshots at least a second apart; a quarter-second timer
// moves the countdown and the "last byte" age between snapshots.
class StreamStatus : public QWidget
{
    Q_OBJECT
public:
    explicit StreamStatus(QWidget *parent = nullptr);

    // The stream the states below are about (setConnecting and setOpen say it too): a closed
    // one's tooltip names it.
    void setUrl(const QUrl &url) { m_url = url; }
    void setIdle(const QString &text);
    // Connecting (or reconnecting) to `url`: after a second the time spent shows, and with a
    // response-head timeout, when the attempt times out.
    void setConnecting(const QUrl &url, int timeoutMs = 0);
    void setOpen(const QUrl &url);
    void setRetrying(qint64 delayMs, const QString &reason);
    // Closed by an error, or cleanly (with the reason when the stream gave one).
    void setClosed(const QString &error, const QString &endReason = {});
    void applySnapshot(const DashboardSnapshot &snapshot);
    // Rates start again from the next snapshot: another stream is shown.
    void forgetRates();
    // The display is paused with `waiting` events held for when it resumes; < 0: not paused.
    void setPausedWaiting(qint64 waiting);

    // The marker of the X-ray's findings of warning or error severity and of failed checks;
    // hidden when there is none. Null: no stream.
    void setXray(const XraySnapshot *xray);
    // What the marker says, empty when it is hidden.
    QString xrayMarkerText() const;

    QString stateText() const;
    QString throughputText() const;
    QString lastByteText() const;
    QString pausedText() const;

signals:
    void xrayMarkerClicked();

private:
    void setState(const QString &text, const QString &toolTip, const QColor &color);
    static void setText(QLabel *label, const QString &text);
    void refresh();

    QLabel *m_state;
    QLabel *m_throughput;
    QLabel *m_lastByte;
    QLabel *m_paused;
    QToolButton *m_xrayMarker;
    QTimer m_clock;
    QElapsedTimer m_retryTimer;
    QElapsedTimer m_connectingSince;   // valid while an attempt waits for its response head
    int m_connectTimeoutMs = 0;
    qint64 m_retryDelayMs = -1;   // ≥ 0 while a retry is scheduled
    QString m_retryReason;
    QUrl m_url;
    // The sample rates are measured from.
    qint64 m_sampleMs = 0;
    quint64 m_sampleBytes = 0;
    quint64 m_sampleEvents = 0;
    double m_bytesPerSecond = 0;
    double m_eventsPerSecond = 0;
    qint64 m_lastByteMs = 0;
    qint64 m_recordedClockMs = 0;   // a replay's clock at the last snapshot; 0 for a live stream
};

}   // namespace Clickscope
