// SPDX-License-Identifier: MIT
#include "common/syntheticclicks.h"

#include "server/trafficgenerator.h"

#include <QJsonDocument>

namespace Clickscope::Bench {

QByteArray openClickJson(const QJsonObject &click)
{
    QByteArray json = QJsonDocument(click).toJson(QJsonDocument::Compact);
    json.chop(1);   // the closing brace
    return json;
}

SyntheticClicks::SyntheticClicks(int count, int links, quint32 seed)
{
    TrafficGenerator::Settings settings;
    settings.links = links;
    settings.seed = seed;
    TrafficGenerator generator(settings);
    m_offsets.reserve(std::size_t(count) + 1);
    m_offsets.push_back(0);
    for (const QJsonObject &click : generator.generate(count)) {
        m_bytes += openClickJson(click);
        m_offsets.push_back(m_bytes.size());
    }
}

}   // namespace Clickscope::Bench
