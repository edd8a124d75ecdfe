package proc

// Children lists the live (not zombie) processes whose parent is pid, as
// "pid (command)". Tests use it to show that nothing outlived what started
// it.
func Children(pid int) []string {
	var kids []string
	for _, i := range Processes() {
		if i.PPID == pid && i.Alive() {
			kids = append(kids, i.String())
		}
	}
	return kids
}
