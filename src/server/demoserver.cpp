// SPDX-License-Identifier: MIT
#include "server/demoserver.h"

#include "server/syntheticpublisher.h"

#include <algorithm>
#include <cmath>

namespace Clickscope {

DemoServer::DemoServer(QObject *parent) : QObject(parent) { m_thread.setObjectName(QStringLiteral("clickscope-demo")); }

DemoServer::~DemoServer() { stop(); }

Result<void> DemoServer::start()
{
    if (isRunning())
        return {};
    m_thread.start();
    SyntheticPublisher::Settings settings;
    settings.publisher.port = m_port;
    settings.publisher.replay = m_replay;
    settings.traffic.clicksPerSecond = m_replay ? 0 : m_rate;
    settings.traffic.wobble = !m_flat;
    Result<void> started = unexpected(tr("its thread did not answer"));
    QUrl base;
    // Made in the thread it serves from: QHttpServer's sockets belong to their creator's thread.
    // The call runs through a context object lent to that thread, which comes back before it ends.
    QObject context;
    context.moveToThread(&m_thread);
    QMetaObject::invokeMethod(
        &context,
        [this, &context, here = QThread::currentThread(), &settings, &started, &base] {
            context.moveToThread(here);
            auto publisher = std::make_unique<SyntheticPublisher>(settings);
            started = publisher->start();
            if (started) {
                base = publisher->publisher().baseUrl();
                m_publisher = publisher.release();
            }
        },
        Qt::BlockingQueuedConnection);
    if (!started) {
        stop();
        return unexpected(tr("Cannot start the demo publisher: %1").arg(started.error()));
    }
    m_baseUrl = base;
    emit runningChanged(true);
    return {};
}

void DemoServer::stop()
{
    if (m_publisher)
        QMetaObject::invokeMethod(
            m_publisher, [publisher = m_publisher] { delete publisher; }, Qt::BlockingQueuedConnection);
    m_publisher = nullptr;
    m_thread.quit();
    m_thread.wait();
    const bool hadUrl = !m_baseUrl.isEmpty();
    m_baseUrl.clear();
    if (hadUrl)
        emit runningChanged(false);
}

Result<void> DemoServer::serveRecording(const QString &path)
{
    std::optional<TestPublisher::Settings::Replay> replay;
    if (!path.isEmpty()) {
        Result<RecordingTimeline> timeline = RecordingTimeline::load(path);
        if (!timeline)
            return unexpected(timeline.error());
        replay = TestPublisher::Settings::Replay{std::make_shared<const RecordingTimeline>(std::move(*timeline)),
                                                 TimelinePlayback::Pace{1, true}};
    }
    const bool wasRunning = isRunning();
    // The same port, so that whatever reads the demo reconnects to the recording by itself.
    const quint16 port = quint16(m_baseUrl.port(0));
    stop();
    m_replay = std::move(replay);
    m_recordingPath = path;
    m_port = port;
    Result<void> started = wasRunning ? start() : Result<void>{};
    m_port = 0;
    emit servedRecordingChanged(m_recordingPath);
    return started;
}

void DemoServer::setFlat(bool flat)
{
    m_flat = flat;
    if (m_publisher)
        QMetaObject::invokeMethod(m_publisher,
                                  [publisher = m_publisher, flat] { publisher->traffic().setWobble(!flat); });
}

void DemoServer::setRate(double clicksPerSecond)
{
    const double rate = std::isfinite(clicksPerSecond) ? std::clamp(clicksPerSecond, 0.0, kMaxRate) : 0.0;
    if (rate == m_rate)
        return;
    m_rate = rate;
    if (m_publisher && !m_replay)
        QMetaObject::invokeMethod(m_publisher, [publisher = m_publisher, rate] { publisher->traffic().setRate(rate); });
    emit rateChanged(rate);
}

}   // namespace Clickscope
