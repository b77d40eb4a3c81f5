// SPDX-License-Identifier: MIT
#pragma once

#include "source/streamsource.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QStringList>
#include <QTimer>

#include <memory>

namespace Ui {
class MainWindow;
}

namespace Clickscope {

// The first window: connect to a stream URL and watch the event count and the latest events.
// Events are only counted as they arrive; the widgets are refreshed by a display-rate timer, so
// the cost of painting does not grow with the event rate.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Connects to `url` with extra `headers`; a bad URL is shown in the window, not thrown.
    void connectTo(const QUrl &url, const QList<HttpHeader> &headers = {});
    void disconnectFromStream();

    quint64 eventCount() const { return m_events; }
    StreamSource *source() const { return m_source.get(); }

private:
    void toggleConnection();
    void onEvents(const QList<SseEvent> &events);
    void onStateChanged(StreamSource::State state);
    void showMessage(const QString &text, bool isError);
    void refresh();

    std::unique_ptr<Ui::MainWindow> m_ui;
    std::unique_ptr<StreamSource> m_source;
    QTimer m_displayTick;
    QElapsedTimer m_rateClock;
    QStringList m_pendingLines;       // newest events not painted yet, at most kShownEvents
    quint64 m_events = 0;
    quint64 m_comments = 0;
    quint64 m_eventsAtLastRate = 0;
    double m_rate = 0;
    bool m_dirty = false;
};

} // namespace Clickscope
