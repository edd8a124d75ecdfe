package agent

import "testing"

func TestPrune(t *testing.T) {
	img := func(s string) Block { return ImageBlock(&Image{MediaType: "image/png", Data: []byte(s)}) }
	res := func(id string, bs ...Block) Block {
		return Block{Type: BlockToolResult, ToolResult: &ToolResult{ToolUseID: id, Content: bs}}
	}
	msgs := []Message{
		{Role: RoleUser, Content: []Block{TextBlock("task"), img("u1")}},
		{Role: RoleAssistant, Content: []Block{TextBlock("ok")}},
		{Role: RoleUser, Content: []Block{res("a", img("r1")), res("b", TextBlock("X=1,Y=2"))}},
		{Role: RoleAssistant, Content: []Block{TextBlock("ok")}},
		{Role: RoleUser, Content: []Block{res("c", TextBlock("t"), img("r2")), res("d", img("r3"))}},
	}
	if n := prune(msgs, 2); n != 2 {
		t.Errorf("pruned %d, want 2", n)
	}
	if countImages(msgs) != 2 {
		t.Errorf("%d images left", countImages(msgs))
	}
	if b := msgs[0].Content[1]; b.Type != BlockText || b.Text != omittedText {
		t.Errorf("user image: %+v", b)
	}
	if b := msgs[2].Content[0].ToolResult.Content[0]; b.Type != BlockText || b.Text != omittedText {
		t.Errorf("old result image: %+v", b)
	}
	if string(msgs[4].Content[0].ToolResult.Content[1].Image.Data) != "r2" || string(msgs[4].Content[1].ToolResult.Content[0].Image.Data) != "r3" {
		t.Error("the newest images were pruned")
	}
	if n := prune(msgs, 2); n != 0 {
		t.Errorf("second prune replaced %d", n)
	}
}

func TestToPage(t *testing.T) {
	for _, c := range []struct{ x, dw, pw, want int }{
		{0, 640, 1280, 1}, {10, 640, 1280, 21}, {639, 640, 1280, 1279}, {5, 100, 100, 5}, {99, 100, 50, 49},
	} {
		if got := toPage(*pt(c.x, c.x), c.dw, c.dw, c.pw, c.pw).X; got != c.want {
			t.Errorf("toPage(%d) of %d on %d = %d, want %d", c.x, c.dw, c.pw, got, c.want)
		}
	}
}
