#include <stdio.h>

int main(void)
{
    fprintf(stderr, "renjad: not built yet\n");
    return 1;
}
