// SPDX-License-Identifier: MIT
#include "server/syntheticpublisher.h"

namespace Clickscope {

SyntheticPublisher::SyntheticPublisher(Settings settings, QObject *parent)
    : QObject(parent)
    , m_publisher(std::move(settings.publisher))
    , m_traffic(settings.traffic)
{
    connect(&m_traffic, &TrafficGenerator::clicksGenerated, &m_publisher,
            [this](const QList<QJsonObject> &clicks) { m_publisher.publish(clicks, QStringLiteral("all")); });
}

Result<void> SyntheticPublisher::start()
{
    if (Result<void> listening = m_publisher.listen(); !listening)
        return listening;
    m_traffic.start();
    return {};
}

}   // namespace Clickscope
