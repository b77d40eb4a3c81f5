// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.h"
#include "server/testpublisher.h"
#include "server/trafficgenerator.h"

#include <QObject>

namespace Clickscope {

// The test publisher fed by synthetic traffic: what the window's demo, `clickscope-cli serve`
// and the tests run. Lives in one thread; DemoServer moves one into a thread of its own.
class SyntheticPublisher : public QObject
{
    Q_OBJECT
public:
    struct Settings
    {
        TestPublisher::Settings publisher;
        TrafficGenerator::Settings traffic;   // a rate of 0 leaves the generator idle
    };

    explicit SyntheticPublisher(Settings settings, QObject *parent = nullptr);

    // Listens, then starts the traffic. The error says why the address or port cannot be had.
    Result<void> start();

    TestPublisher &publisher() { return m_publisher; }
    TrafficGenerator &traffic() { return m_traffic; }

private:
    TestPublisher m_publisher;
    TrafficGenerator m_traffic;
};

}   // namespace Clickscope
