// SPDX-License-Identifier: MIT
#include "streamsource.h"

namespace Clickscope {

StreamSource::StreamSource(SourceConfig config, QObject *parent) : QObject(parent), m_config(std::move(config))
{
    qRegisterMetaType<QList<SseEvent>>();
}

void StreamSource::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void StreamSource::setError(Error error, const QString &message)
{
    m_error = error;
    m_errorString = message;
}

} // namespace Clickscope
