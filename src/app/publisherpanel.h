// SPDX-License-Identifier: MIT
#pragma once

#include "app/recordingopener.h"
#include "core/result.h"

#include <QWidget>

#include <memory>

namespace Ui {
class PublisherPanel;
}

namespace Clickscope {

class DemoServer;

// The demo publisher's controls: its URLs, the synthetic rate (a logarithmic slider and a spin
// box that agree), and a curl command that publishes one click by hand.
class PublisherPanel : public QWidget
{
    Q_OBJECT
public:
    explicit PublisherPanel(DemoServer *demo, QWidget *parent = nullptr);
    ~PublisherPanel() override;

    // The command "Copy curl command" puts on the clipboard.
    QString curlCommand() const;
    // Slider position ↔ rate: 0 is 0, then ten steps per decade from 1 (position 1) to 100,000.
    static int sliderPosition(double rate);
    static double rateAt(int sliderPosition);
    // Every stream of the demo plays the recording (or HAR) at `path`; an empty path goes back to
    // synthetic clicks. The panel says what it serves, or why it cannot.
    Result<void> serveRecording(const QString &path);

signals:
    void stopRequested();

private:
    void refresh();

    std::unique_ptr<Ui::PublisherPanel> m_ui;
    DemoServer *m_demo;
    RecordingOpener m_opener;
    QString m_shownName;   // of what is served
};

}   // namespace Clickscope
