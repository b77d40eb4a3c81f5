// SPDX-License-Identifier: MIT
#pragma once

#include "model/clickpipeline.h"

#include <QMainWindow>

#include <memory>

namespace Ui {
class MainWindow;
}

namespace Clickscope {

class CountersPanel;
class EventInspector;
class RankingPanel;
class RateChartView;

// The dashboard window. It owns the ClickPipeline (stream + aggregation off the UI thread) and
// wires its snapshots to the panels; everything shown comes from the latest snapshot, so the UI
// thread only renders, at most at the pipeline's display rate.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    // Connects to `url` with extra `headers`; a bad URL is shown in the window, not thrown.
    void connectTo(const QUrl &url, const QList<HttpHeader> &headers = {});
    void disconnectFromStream();

    // A stream was asked for and is connecting, open or retrying (not closed).
    bool isConnected() const { return m_active && m_state != StreamSource::State::Closed; }
    // From the latest snapshot.
    quint64 eventCount() const { return m_snapshot ? m_snapshot->totals.events : 0; }
    quint64 clickCount() const { return m_snapshot ? m_snapshot->totals.clicks : 0; }
    DashboardSnapshotPtr lastSnapshot() const { return m_snapshot; }

    CountersPanel *countersPanel() const;
    RateChartView *rateChart() const;
    RankingPanel *rankingPanel() const;
    EventInspector *eventInspector() const;

private:
    void toggleConnection();
    void onSnapshot(const DashboardSnapshotPtr &snapshot);
    void onStateChanged(StreamSource::State state);
    void showMessage(const QString &text, bool isError);

    std::unique_ptr<Ui::MainWindow> m_ui;
    ClickPipeline m_pipeline;
    DashboardSnapshotPtr m_snapshot;
    QUrl m_url;
    QString m_lastError;
    StreamSource::State m_state = StreamSource::State::Closed;
    bool m_active = false;   // between connectTo() and disconnectFromStream()
};

} // namespace Clickscope
