// SPDX-License-Identifier: MIT
#pragma once

#include <QObject>

namespace Clickscope {

// Placeholder: being written (synthetic click traffic).
class TrafficGenerator : public QObject
{
    Q_OBJECT
public:
    explicit TrafficGenerator(QObject *parent = nullptr);
};

} // namespace Clickscope
