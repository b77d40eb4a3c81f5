// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.h"
#include "server/testpublisher.h"

#include <QObject>
#include <QThread>
#include <QUrl>

#include <optional>

namespace Clickscope {

class SyntheticPublisher;

// The window's demo: a SyntheticPublisher on a free loopback port, in a thread of its own so
// that serving (and a rate turned up to 100,000 clicks/s) never takes time from the UI thread.
class DemoServer : public QObject
{
    Q_OBJECT
public:
    static constexpr double kDefaultRate = 40;
    static constexpr double kMaxRate = 100'000;

    explicit DemoServer(QObject *parent = nullptr);
    ~DemoServer() override;

    // Starts serving and generating; waits until it listens.
    Result<void> start();
    void stop();
    bool isRunning() const { return m_publisher != nullptr; }

    // http://127.0.0.1:PORT/ while running.
    QUrl baseUrl() const { return m_baseUrl; }
    QUrl url(const QString &path) const { return m_baseUrl.resolved(QUrl(path)); }

    // Clicks per second on average, 0 … kMaxRate (clamped); takes effect within a tick. Unless
    // the rate is flat, it swings about ±40 % around that over two minutes, so charts move.
    void setRate(double clicksPerSecond);
    double rate() const { return m_rate; }
    void setFlat(bool flat);
    bool isFlat() const { return m_flat; }

    // Serves the recording at `path` on every stream, on the same port, instead of synthetic
    // traffic: each subscriber gets it from its start at the recorded pace, again and again. An
    // empty path goes back to synthetic traffic. The error says why the file cannot be served.
    Result<void> serveRecording(const QString &path);
    QString servedRecording() const { return m_recordingPath; }

signals:
    void rateChanged(double clicksPerSecond);
    void runningChanged(bool running);
    void servedRecordingChanged(const QString &path);

private:
    QThread m_thread;
    SyntheticPublisher *m_publisher = nullptr;   // lives in m_thread, deleted there
    QUrl m_baseUrl;
    std::optional<TestPublisher::Settings::Replay> m_replay;
    QString m_recordingPath;
    quint16 m_port = 0;   // 0: any free one
    double m_rate = kDefaultRate;
    bool m_flat = false;
};

}   // namespace Clickscope
