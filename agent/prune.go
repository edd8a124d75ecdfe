package agent

// omittedText replaces a screenshot pruned from the conversation.
const omittedText = "[screenshot omitted]"

// prune keeps the newest keep images of the conversation (in messages and
// in tool results) and replaces the older ones with omittedText, in place.
// It returns how many it replaced.
func prune(msgs []Message, keep int) int {
	seen, replaced := 0, 0
	visit := func(b *Block) {
		if b.Type != BlockImage {
			return
		}
		if seen++; seen > keep {
			*b = TextBlock(omittedText)
			replaced++
		}
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		content := msgs[i].Content
		for j := len(content) - 1; j >= 0; j-- {
			b := &content[j]
			if b.Type == BlockToolResult && b.ToolResult != nil {
				inner := b.ToolResult.Content
				for k := len(inner) - 1; k >= 0; k-- {
					visit(&inner[k])
				}
				continue
			}
			visit(b)
		}
	}
	return replaced
}
