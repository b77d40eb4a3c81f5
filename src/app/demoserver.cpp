// SPDX-License-Identifier: MIT
#include "demoserver.h"

#include "testpublisher.h"
#include "trafficgenerator.h"

#include <algorithm>
#include <cmath>

namespace Clickscope {

DemoServer::DemoServer(QObject *parent) : QObject(parent)
{
    m_thread.setObjectName(QStringLiteral("clickscope-demo"));
}

DemoServer::~DemoServer()
{
    stop();
}

bool DemoServer::start(QString *error)
{
    if (isRunning())
        return true;
    m_thread.start();
    m_host = new QObject;
    m_host->moveToThread(&m_thread);
    bool ok = false;
    QString problem;
    QUrl base;
    // Made in the thread they serve from: QHttpServer's sockets belong to their creator's thread.
    QMetaObject::invokeMethod(
        m_host,
        [this, &ok, &problem, &base] {
            m_publisher = new TestPublisher(TestPublisher::Settings{}, m_host);
            if (!m_publisher->listen()) {
                problem = m_publisher->errorString();
                return;
            }
            TrafficGenerator::Settings settings;
            settings.clicksPerSecond = m_rate;
            settings.wobble = !m_flat;
            m_traffic = new TrafficGenerator(settings, m_host);
            connect(m_traffic, &TrafficGenerator::clicksGenerated, m_publisher,
                    [publisher = m_publisher](const QList<QJsonObject> &clicks) { publisher->hub().publish(clicks); });
            m_traffic->start();
            base = m_publisher->baseUrl();
            ok = true;
        },
        Qt::BlockingQueuedConnection);
    if (!ok) {
        stop();
        if (error)
            *error = tr("Cannot start the demo publisher: %1").arg(problem);
        return false;
    }
    m_baseUrl = base;
    emit runningChanged(true);
    return true;
}

void DemoServer::stop()
{
    if (!m_host)
        return;
    QMetaObject::invokeMethod(m_host, [host = m_host] { delete host; }, Qt::BlockingQueuedConnection);
    m_host = nullptr;
    m_publisher = nullptr;
    m_traffic = nullptr;
    m_thread.quit();
    m_thread.wait();
    const bool hadUrl = !m_baseUrl.isEmpty();
    m_baseUrl.clear();
    if (hadUrl)
        emit runningChanged(false);
}

void DemoServer::setFlat(bool flat)
{
    m_flat = flat;
    if (m_host)
        QMetaObject::invokeMethod(m_host, [traffic = m_traffic, flat] { traffic->setWobble(!flat); });
}

void DemoServer::setRate(double clicksPerSecond)
{
    const double rate = std::isfinite(clicksPerSecond) ? std::clamp(clicksPerSecond, 0.0, kMaxRate) : 0.0;
    if (rate == m_rate)
        return;
    m_rate = rate;
    if (m_host)
        QMetaObject::invokeMethod(m_host, [traffic = m_traffic, rate] { traffic->setRate(rate); });
    emit rateChanged(rate);
}

} // namespace Clickscope
